using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using ByolA.Audio;
using ByolA.Configuration;
using ByolA.Data;
using ByolA.Embedding.Formats;

namespace ByolA.Probe;

/// <summary>
/// A saved classifier (<c>evaluate</c>'s <see cref="EvaluateOptions.SaveModel"/>): one zip file holding everything
/// needed to classify new audio — <c>classifier.json</c> (task, single- or multi-label, class names, unit_sec,
/// normalisation stats, front-end settings, head sizes, the encoder's name and SHA-256, the run it comes from and its
/// test score), the scaler and head as NumPy arrays (<c>scaler.mean.npy</c>, <c>scaler.scale.npy</c>,
/// <c>layers.{i}.weight.npy</c> (out, in), <c>layers.{i}.bias.npy</c> (out)), and a copy of the encoder weights
/// (<c>encoder.pth</c> or <c>encoder.onnx</c>), so the file keeps working when the weights move.
/// </summary>
public sealed record ClassifierFile
{
    /// <summary>The <c>format</c> value that marks a classifier file.</summary>
    public const string Format = "byola-classifier";

    /// <summary>The layout version written; a newer one is refused with a line saying so.</summary>
    public const int Version = 1;

    public const string ManifestName = "classifier.json";

    public required string Task { get; init; }
    public required string ModelName { get; init; }
    public required bool MultiLabel { get; init; }
    public required IReadOnlyList<string> Classes { get; init; }
    public required double UnitSec { get; init; }
    public required NormStats Stats { get; init; }

    /// <summary>SHA-256 of the encoder weights the stats were computed with (the encoder's own, when saved by evaluate).</summary>
    public required string StatsSha256 { get; init; }

    public required FrontEndOptions FrontEnd { get; init; }
    public required IReadOnlyList<int> Hidden { get; init; }

    /// <summary>(d) scaler means and scales.</summary>
    public required float[] ScalerMean { get; init; }
    public required float[] ScalerScale { get; init; }

    /// <summary>Head layers, input side first: weight (out × in, row-major) with its shape, and bias (out).</summary>
    public required IReadOnlyList<(float[] Weight, long[] Shape, float[] Bias)> Layers { get; init; }

    /// <summary>The encoder file's name inside the classifier (<c>encoder.pth</c> or <c>encoder.onnx</c>) and its bytes' SHA-256.</summary>
    public required string EncoderEntry { get; init; }
    public required string EncoderSha256 { get; init; }

    /// <summary>Where the encoder weights were read from when saved (for people; never opened).</summary>
    public string? EncoderSource { get; init; }

    /// <summary>Which classifier of the evaluation this is, in words.</summary>
    public string? TrainedOn { get; init; }

    /// <summary>Its test score (accuracy or mAP) as evaluate measured it; null when it had no test set of its own.</summary>
    public double? TestScore { get; init; }

    /// <summary>Embedding width d the head takes.</summary>
    public int FeatureD => ScalerMean.Length;

    /// <summary>Writes the classifier with a copy of <paramref name="encoderPath"/> to <paramref name="path"/>, atomically.</summary>
    public void Write(string path, string encoderPath)
    {
        var manifest = new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["task"] = Task,
            ["model"] = ModelName,
            ["kind"] = MultiLabel ? "multi-label" : "single-label",
            ["classes"] = new JsonArray([.. Classes.Select(c => JsonValue.Create(c))]),
            ["unit_sec"] = UnitSec,
            ["stats"] = new JsonObject { ["mean"] = Stats.Mean, ["std"] = Stats.Std, ["weights_sha256"] = StatsSha256 },
            ["front_end"] = new JsonObject
            {
                ["sample_rate"] = FrontEnd.SampleRate, ["n_fft"] = FrontEnd.NFft, ["win_length"] = FrontEnd.WinLength,
                ["hop_length"] = FrontEnd.HopLength, ["n_mels"] = FrontEnd.NMels, ["f_min"] = FrontEnd.FMin, ["f_max"] = FrontEnd.FMax,
            },
            ["head"] = ProbeHead.Name(Hidden),
            ["hidden"] = new JsonArray([.. Hidden.Select(h => JsonValue.Create(h))]),
            ["feature_d"] = FeatureD,
            ["encoder"] = new JsonObject { ["file"] = EncoderEntry, ["sha256"] = EncoderSha256, ["source"] = EncoderSource },
            ["trained_on"] = TrainedOn,
            ["test_score"] = TestScore,
        };
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var s = zip.CreateEntry(ManifestName).Open())
                JsonSerializer.Serialize(s, manifest, new JsonSerializerOptions { WriteIndented = true });
            void Array(string name, float[] values, long[] shape)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                s.Write(NpyFormat.HeaderBytes("<f4", shape));
                s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
            }
            Array("scaler.mean.npy", ScalerMean, [ScalerMean.Length]);
            Array("scaler.scale.npy", ScalerScale, [ScalerScale.Length]);
            for (int i = 0; i < Layers.Count; i++)
            {
                Array($"layers.{i}.weight.npy", Layers[i].Weight, Layers[i].Shape);
                Array($"layers.{i}.bias.npy", Layers[i].Bias, [Layers[i].Bias.Length]);
            }
            using (var s = zip.CreateEntry(EncoderEntry, CompressionLevel.NoCompression).Open())
            using (var encoder = File.OpenRead(encoderPath))
                encoder.CopyTo(s);
        });
    }

    /// <summary>SHA-256 of a file's bytes, lower-case hex.</summary>
    /// <summary>
    /// A trained scaler and head as the file stores them: (d) means and scales, and each layer's (out, in) weight with
    /// its shape and (out) bias, as float32 host arrays. Evaluate's probes and fine-tuned models are saved through it.
    /// </summary>
    internal static (float[] ScalerMean, float[] ScalerScale, IReadOnlyList<(float[] Weight, long[] Shape, float[] Bias)> Layers) Arrays(
        StandardScaler scaler, ProbeHead head)
    {
        static float[] Host(TorchSharp.torch.Tensor t) => t.to(TorchSharp.torch.ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        return (Host(scaler.Mean), Host(scaler.Scale), head.Layers.Select(l => (Host(l.weight!), l.weight!.shape, Host(l.bias!))).ToList());
    }

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// Reads <paramref name="path"/> and extracts its encoder to <paramref name="encoderFolder"/> (returning that file's
    /// path). Anything that is not a classifier file, or whose parts do not fit together (an encoder other than the one
    /// recorded, stats of another model, a head of another width), is a <see cref="ByolAException"/> in one line.
    /// </summary>
    public static (ClassifierFile File, string EncoderPath) Read(string path, string encoderFolder)
    {
        string NotOne(string why) => $"{path}: not a byola classifier ({why}); save one with 'byola evaluate' and its save-model option";
        if (Directory.Exists(path)) throw new ByolAException($"{path}: is a folder, not a classifier file");
        if (!System.IO.File.Exists(path)) throw new ByolAException($"{path}: classifier file not found");
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var entry = zip.GetEntry(ManifestName) ?? throw new ByolAException(NotOne($"no {ManifestName} inside"));
            JsonObject manifest;
            using (var s = entry.Open())
                manifest = JsonNode.Parse(s) as JsonObject ?? throw new ByolAException(NotOne($"{ManifestName} is not a JSON object"));
            if ((string?)manifest["format"] != Format) throw new ByolAException(NotOne($"{ManifestName} has no format '{Format}'"));
            int version = (int?)manifest["version"] ?? 0;
            if (version > Version)
                throw new ByolAException($"{path}: classifier layout version {version}, this byola reads up to {Version}; use a newer byola");
            T Need<T>(JsonNode? node, string key) => node is null ? throw new ByolAException($"{path}: {ManifestName} lacks '{key}'") : node.GetValue<T>();
            var stats = (JsonObject?)manifest["stats"] ?? throw new ByolAException($"{path}: {ManifestName} lacks 'stats'");
            var fe = (JsonObject?)manifest["front_end"] ?? throw new ByolAException($"{path}: {ManifestName} lacks 'front_end'");
            var encoder = (JsonObject?)manifest["encoder"] ?? throw new ByolAException($"{path}: {ManifestName} lacks 'encoder'");
            var hidden = ((JsonArray?)manifest["hidden"] ?? []).Select(h => h!.GetValue<int>()).ToList();
            float[] ReadArray(string name, long[]? expected = null)
            {
                var e = zip.GetEntry(name) ?? throw new ByolAException($"{path}: {name} is missing inside the classifier");
                using var s = e.Open();
                var header = NpyFormat.ReadHeader(s, $"{path}: {name}");
                if (header.Descr != "<f4") throw new ByolAException($"{path}: {name} holds {header.Descr}, expected float32");
                if (expected != null && !header.Shape.SequenceEqual(expected))
                    throw new ByolAException($"{path}: {name} has shape ({string.Join(", ", header.Shape)}), expected ({string.Join(", ", expected)})");
                return NpyFormat.ReadValues<float>(s, header.Count);
            }
            var classes = ((JsonArray?)manifest["classes"] ?? []).Select(c => c!.GetValue<string>()).ToList();
            if (classes.Count < 2) throw new ByolAException($"{path}: {ManifestName} lists {classes.Count} class(es); a classifier needs at least two");
            var mean = ReadArray("scaler.mean.npy");
            int d = mean.Length;
            var layers = new List<(float[], long[], float[])>();
            long inputs = d;
            for (int i = 0; i <= hidden.Count; i++)
            {
                long outputs = i < hidden.Count ? hidden[i] : classes.Count;
                layers.Add((ReadArray($"layers.{i}.weight.npy", [outputs, inputs]), [outputs, inputs], ReadArray($"layers.{i}.bias.npy", [outputs])));
                inputs = outputs;
            }
            var encoderEntry = Need<string>(encoder["file"], "encoder.file");
            if (encoderEntry is not ("encoder.pth" or "encoder.onnx")) throw new ByolAException($"{path}: encoder file '{encoderEntry}' is neither encoder.pth nor encoder.onnx");
            var file = new ClassifierFile
            {
                Task = Need<string>(manifest["task"], "task"),
                ModelName = (string?)manifest["model"] ?? "",
                MultiLabel = Need<string>(manifest["kind"], "kind") switch
                {
                    "multi-label" => true,
                    "single-label" => false,
                    var other => throw new ByolAException($"{path}: kind '{other}' is neither single-label nor multi-label"),
                },
                Classes = classes,
                UnitSec = Need<double>(manifest["unit_sec"], "unit_sec"),
                Stats = new NormStats(Need<double>(stats["mean"], "stats.mean"), Need<double>(stats["std"], "stats.std")),
                StatsSha256 = Need<string>(stats["weights_sha256"], "stats.weights_sha256"),
                FrontEnd = new FrontEndOptions(Need<int>(fe["sample_rate"], "front_end.sample_rate"), Need<int>(fe["n_fft"], "front_end.n_fft"),
                    Need<int>(fe["win_length"], "front_end.win_length"), Need<int>(fe["hop_length"], "front_end.hop_length"),
                    Need<int>(fe["n_mels"], "front_end.n_mels"), Need<double>(fe["f_min"], "front_end.f_min"), Need<double>(fe["f_max"], "front_end.f_max")),
                Hidden = hidden,
                ScalerMean = mean,
                ScalerScale = ReadArray("scaler.scale.npy", [d]),
                Layers = layers,
                EncoderEntry = encoderEntry,
                EncoderSha256 = Need<string>(encoder["sha256"], "encoder.sha256"),
                EncoderSource = (string?)encoder["source"],
                TrainedOn = (string?)manifest["trained_on"],
                TestScore = (double?)manifest["test_score"],
            };
            if (!(file.UnitSec > 0 && file.UnitSec <= EvaluateOptions.MaxUnitSec))
                throw new ByolAException($"{path}: unit_sec {file.UnitSec} is outside (0, {EvaluateOptions.MaxUnitSec}]; the file is damaged — save the classifier again");
            try { file.Stats.Validate(); }
            catch (ByolAException e) { throw new ByolAException($"{path}: its normalisation stats cannot be used ({e.Message}); save the classifier again", e); }
            if (file.StatsSha256 != file.EncoderSha256)
                throw new ByolAException($"{path}: its normalisation stats were computed for another model's weights (SHA-256 {Short(file.StatsSha256)}, " +
                                         $"the encoder inside is {Short(file.EncoderSha256)}); save the classifier again from one evaluation");
            var encoderData = zip.GetEntry(encoderEntry) ?? throw new ByolAException($"{path}: {encoderEntry} is missing inside the classifier");
            Directory.CreateDirectory(encoderFolder);
            var encoderPath = Path.Combine(encoderFolder, encoderEntry);
            using (var s = encoderData.Open())
            using (var target = System.IO.File.Create(encoderPath))
                s.CopyTo(target);
            var actual = Sha256Of(encoderPath);
            if (actual != file.EncoderSha256)
                throw new ByolAException($"{path}: the encoder inside has SHA-256 {Short(actual)}, but the head was trained on {Short(file.EncoderSha256)} " +
                                         "(another encoder's weights); save the classifier again");
            return (file, encoderPath);
        }
        catch (InvalidDataException e)
        {
            throw new ByolAException(NotOne("not a zip archive: " + e.Message), e);
        }
        catch (JsonException e)
        {
            throw new ByolAException(NotOne($"{ManifestName} is not valid JSON: {e.Message}"), e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new ByolAException(NotOne($"{ManifestName} has a value of the wrong type: {e.Message}"), e);
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            throw IoErrors.Failure(path, "read the classifier", e);
        }
    }

    static string Short(string sha) => sha.Length > 12 ? sha[..12] + "…" : sha;
}
