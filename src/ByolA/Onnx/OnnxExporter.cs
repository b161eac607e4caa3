using ByolA.Weights;
using System.Security.Cryptography;
using ByolA.Audio;
using ByolA.Data;
using ByolA.Models;
using Google.Protobuf;
using static TorchSharp.torch;

namespace ByolA.Onnx;

/// <summary>
/// Writes an encoder as an ONNX model (opset <see cref="OnnxModelFile.Opset"/>) with dynamic batch and time axes:
/// input normalised log-mel "lms" (B, 1, F, T), or with the front end "waveform" (B, samples); outputs "embedding"
/// (B, d) and, when asked, "frames" (B, T', d). BatchNorm is folded, and the metadata records what the model is
/// (see <see cref="OnnxModelInfo"/>). The file appears only when complete.
/// </summary>
internal static class OnnxExporter
{
    /// <summary>Exports as the options say; with <paramref name="head"/> (a classifier export) the graph also outputs its probabilities.</summary>
    public static OnnxExportResult Export(OnnxExportOptions options, CancellationToken ct = default, OnnxClassifierHead? head = null)
    {
        options.Validate();
        var config = options.Config;
        EncoderWeights.RequireSampleRate(options.WeightsPath, config.SampleRate);
        using var loaded = EncoderLoader.Load(options.WeightsPath, CPU, options.Layered);
        if (loaded.NMels != config.NMels)
            throw new ByolAException($"{options.WeightsPath}: the encoder expects {loaded.NMels} mel bins but the config has n_mels {config.NMels}; set n_mels={loaded.NMels}");
        var encoder = loaded.Encoder;
        var info = new OnnxModelInfo
        {
            ModelKind = encoder.Architecture.ToString(),
            FeatureD = encoder.FeatureD,
            EncoderD = loaded.FeatureD,
            NMels = loaded.NMels,
            FrameStride = encoder.FrameStride,
            Layered = options.Layered,
            HasFrontEnd = options.FrontEnd,
            HasFrames = options.Frames,
            Stats = options.Stats,
            SampleRate = config.SampleRate,
            NFft = config.NFft,
            WinLength = config.WinLength,
            HopLength = config.HopLength,
            FMin = config.FMin,
            FMax = config.FMax,
            SourceSha256 = Sha256(options.WeightsPath),
        };
        if (head != null && head.ScalerMean.Length != encoder.FeatureD)
            throw new ByolAException($"{options.WeightsPath}: the classifier head takes {head.ScalerMean.Length}-d embeddings but the encoder gives {encoder.FeatureD}-d");
        var model = OnnxModelFile.Create(Build(encoder, info, config, head), info);
        if (head != null)
        {
            model.MetadataProps.Add(new global::Onnx.StringStringEntryProto { Key = OnnxClassifierHead.ClassesKey, Value = string.Join("\n", head.Classes) });
            model.MetadataProps.Add(new global::Onnx.StringStringEntryProto { Key = OnnxClassifierHead.KindKey, Value = head.MultiLabel ? "multi-label" : "single-label" });
        }
        ct.ThrowIfCancellationRequested();
        AtomicFile.Write(options.OutPath, s => model.WriteTo(s));
        return new OnnxExportResult(info, options.OutPath, new FileInfo(options.OutPath).Length, loaded.Warnings);
    }

    /// <summary>The graph of <paramref name="encoder"/> as <paramref name="info"/> describes it.</summary>
    internal static global::Onnx.GraphProto Build(IAudioEncoder encoder, OnnxModelInfo info, Configuration.ByolAConfig config, OnnxClassifierHead? head = null)
    {
        var g = new OnnxGraph();
        string lms = OnnxModelInfo.LogMelInput;
        if (info.HasFrontEnd)
        {
            g.Input(OnnxModelInfo.WaveformInput, "batch", "samples");
            FrontEndGraph.Add(g, OnnxModelInfo.WaveformInput, config, info.Stats, unsqueeze: true, output: lms);
        }
        else g.Input(lms, "batch", 1L, (long)info.NMels, "time");
        var (frames, pooled) = EncoderGraph.Add(g, lms, info, Weights(encoder));
        g.Node("Identity", [pooled], OnnxModelInfo.EmbeddingOutput);
        g.Output(OnnxModelInfo.EmbeddingOutput, "batch", (long)info.FeatureD);
        if (info.HasFrames)
        {
            g.Node("Identity", [frames], OnnxModelInfo.FramesOutput);
            g.Output(OnnxModelInfo.FramesOutput, "batch", "frames", (long)info.FeatureD);
        }
        if (head != null)
        {
            head.Add(g, pooled);
            g.Output(OnnxClassifierHead.ProbabilitiesOutput, "batch", (long)head.Classes.Count);
        }
        return g.Proto;
    }

    /// <summary>The encoder's state dict in official names (X models renamed back), as float32 arrays.</summary>
    static Dictionary<string, EncoderGraph.Weight> Weights(IAudioEncoder encoder)
    {
        var keys = EncoderKinds.Of(encoder.Architecture);
        var result = new Dictionary<string, EncoderGraph.Weight>(StringComparer.Ordinal);
        foreach (var (name, t) in encoder.Module.state_dict())
        {
            if (!t.is_floating_point()) continue; // BatchNorm's step counter
            using var values = t.detach().cpu().to(float32).contiguous();
            result[keys.ToOfficialKey(name)] = new EncoderGraph.Weight(values.data<float>().ToArray(), t.shape);
        }
        return result;
    }

    static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
