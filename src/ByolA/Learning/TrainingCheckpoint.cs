using ByolA.Weights;
using ByolA.Data;
using System.Collections;
using ByolA.Audio;
using ByolA.Configuration;
using ByolA.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Learning;

/// <summary>
/// Everything needed to continue training exactly where an epoch ended, in one PyTorch zip archive (a flat dict
/// name → tensor, readable with torch.load): <c>learner.*</c> (online encoder, projector, predictor, target,
/// BatchNorm buffers included), <c>optimizer</c> (Adam state, TorchSharp's format as bytes), <c>epoch</c>,
/// <c>rng.augment</c> and <c>rng.torch</c> (generator states), <c>norm.*</c> (normalisation statistics) and
/// <c>meta.*</c> (the settings a resume must match). Written atomically (temporary name, then rename).
/// </summary>
public sealed class TrainingCheckpoint
{
    public const string FileName = "checkpoint.pth";

    public required int Epoch { get; init; }
    public required Dictionary<string, Tensor> Learner { get; init; }
    public required byte[] Optimizer { get; init; }
    public required long[] AugmentRng { get; init; }
    public required Tensor TorchRng { get; init; }
    public required double NormMean { get; init; }
    public required double NormVar { get; init; }
    public required long NormUpdates { get; init; }
    public required Dictionary<string, long> Meta { get; init; }

    /// <summary>
    /// The meta key of the precision the checkpoint's epochs were trained in (<see cref="Runtime.NumericPrecision"/> as a
    /// number); absent from checkpoints written before it existed. Not part of <see cref="MetaFor"/>: a resume may change it.
    /// </summary>
    internal const string PrecisionKey = "precision";

    /// <summary>The name (fp32, tf32, bf16) of a <see cref="PrecisionKey"/> value.</summary>
    internal static string PrecisionName(long value) =>
        Enum.IsDefined(typeof(Runtime.NumericPrecision), (int)value) ? Runtime.Precision.Name((Runtime.NumericPrecision)value) : $"precision {value}";

    /// <summary>The settings that must not change between a run and its resume.</summary>
    public static Dictionary<string, long> MetaFor(ByolAConfig config, int files) => new()
    {
        ["v2"] = config.Encoder.CheckpointId,
        ["feature_d"] = config.FeatureD,
        ["proj_dim"] = config.ProjDim,
        ["proj_size"] = config.ProjSize,
        ["n_mels"] = config.NMels,
        ["frames"] = config.Shape[1],
        ["bs"] = config.Bs,
        ["seed"] = config.Seed,
        ["files"] = files,
    };

    /// <summary>Writes the checkpoint atomically; <paramref name="durable"/> also makes it reach the disk before the rename.</summary>
    public void Save(string path, bool durable = false)
    {
        using var scope = NewDisposeScope();
        var table = new List<KeyValuePair<string, Tensor>>();
        foreach (var (k, v) in Learner) table.Add(new("learner." + k, v));
        table.Add(new("optimizer", tensor(Optimizer, ScalarType.Byte)));
        table.Add(new("epoch", tensor((long)Epoch)));
        table.Add(new("rng.augment", tensor(AugmentRng)));
        table.Add(new("rng.torch", TorchRng));
        table.Add(new("norm.mean", tensor(NormMean, ScalarType.Float64)));
        table.Add(new("norm.var", tensor(NormVar, ScalarType.Float64)));
        table.Add(new("norm.updates", tensor(NormUpdates)));
        foreach (var (k, v) in Meta) table.Add(new("meta." + k, tensor(v)));
        AtomicFile.Write(path, stream => StateDictWriter.Write(stream, table), durable);
    }

    public static TrainingCheckpoint Load(string path)
    {
        if (!File.Exists(path)) throw new ByolAException($"{path}: checkpoint not found");
        return Parse(StateDictReader.Read(path, "training checkpoint"), path);
    }

    /// <summary>A checkpoint from the bytes of its file (rank 0 reads the file and sends them to the other ranks).</summary>
    internal static TrainingCheckpoint Load(byte[] bytes, string path)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Parse(StateDictReader.Read(stream, path, "training checkpoint"), path);
    }

    static TrainingCheckpoint Parse(Hashtable raw, string path)
    {
        Tensor Get(string key) => raw[key] as Tensor ?? throw new ByolAException($"{path}: not a training checkpoint (no '{key}'); pass the checkpoint.pth written by `byola train`, not a weights file");
        var learner = new Dictionary<string, Tensor>();
        var meta = new Dictionary<string, long>();
        foreach (DictionaryEntry e in raw)
        {
            if (e.Key is not string k || e.Value is not Tensor t) continue;
            if (k.StartsWith("learner.", StringComparison.Ordinal)) learner[k["learner.".Length..]] = t;
            else if (k.StartsWith("meta.", StringComparison.Ordinal)) meta[k["meta.".Length..]] = t.item<long>();
        }
        return new TrainingCheckpoint
        {
            Epoch = (int)Get("epoch").item<long>(),
            Learner = learner,
            Optimizer = Get("optimizer").data<byte>().ToArray(),
            AugmentRng = Get("rng.augment").data<long>().ToArray(),
            TorchRng = Get("rng.torch"),
            NormMean = Get("norm.mean").item<double>(),
            NormVar = Get("norm.var").item<double>(),
            NormUpdates = Get("norm.updates").item<long>(),
            Meta = meta,
        };
    }

    /// <summary>Throws when this checkpoint was written with settings a resume cannot continue from.</summary>
    public void RequireCompatible(Dictionary<string, long> expected, string path)
    {
        foreach (var (k, v) in expected)
            if (!Meta.TryGetValue(k, out var have) || have != v)
                throw new ByolAException($"{path}: checkpoint was written with {k} = {(Meta.TryGetValue(k, out var h) ? h : "?")}, this run has {v}; resume with the same config and audio (or start a new run)");
    }
}
