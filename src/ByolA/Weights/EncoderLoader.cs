using ByolA.Models;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Weights;

/// <summary>
/// Builds encoders from PyTorch weight files (SPEC §3): plain or nested state dicts, prefixed keys (BYOL learner
/// checkpoints, 'model.', 'body.'), X-model names. The architecture (v1 AudioNTT2020 or v2 AudioNTT2022), n_mels
/// and d come from the weight shapes. Any file that does not fit throws <see cref="ByolAException"/> naming the
/// file and the expected and found shapes.
/// </summary>
internal static partial class EncoderLoader
{
    [GeneratedRegex(@"d(\d+)")]
    private static partial Regex FileNameD();

    /// <summary>
    /// Loads the encoder in <paramref name="path"/> onto <paramref name="device"/> (CPU when null), in eval mode.
    /// <paramref name="layered"/> builds <see cref="AudioNTT2020X"/> with layered output (v1 weights only).
    /// <paramref name="expectedFeatureD"/> / <paramref name="expectedArchitecture"/>, when given, must match the file.
    /// </summary>
    public static LoadedEncoder Load(string path, Device? device = null, bool layered = false,
        int? expectedFeatureD = null, ModelKind? expectedArchitecture = null)
    {
        var warnings = new List<string>();
        var raw = EncoderWeights.ReadStateDict(path);
        try
        {
            var weights = StateDictKeys.SelectEncoder(raw);
            var (kind, shape) = Inspect(weights, path);
            var arch = kind.Kind;
            int d = shape.FeatureD, nMels = shape.NMels;
            var shapes = Shapes(weights);

            if (expectedArchitecture != null && expectedArchitecture != arch)
                throw new ByolAException($"{path}: holds {arch} weights ({Describe(weights, "fc.0.weight")}), but {expectedArchitecture} was expected — use weights of that architecture or change the config's model");
            if (expectedFeatureD is { } want && want != d)
                throw new ByolAException($"{path}: encoder has d={d} ({kind.ShapeClue(shapes)}), but d={want} was expected (config feature_d) — pass matching weights or set feature_d={d}");
            if (FeatureDFromFileName(path) is { } named && named != d)
                warnings.Add($"{Path.GetFileName(path)}: the name says d{named} but the weights have d={d}; using d={d}");
            if (layered && !kind.HasLayeredFeatures)
                throw new ByolAException($"{path}: layered features exist only for AudioNTT2020 (v1) weights; this file holds {arch} weights");

            var encoder = kind.Create(shape, layered);
            try
            {
                Fill(encoder.Module, weights, path);
                encoder.Module.to(device ?? CPU);
                encoder.Module.eval();
            }
            catch
            {
                encoder.Dispose();
                throw;
            }
            return new LoadedEncoder(encoder, arch, d, nMels, path, warnings);
        }
        finally
        {
            foreach (var t in raw.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Loads the weights in <paramref name="path"/> into an existing encoder module (any of the Models classes,
    /// X models included); shapes must match exactly. Leaves the module's train/eval mode and device as they were.
    /// </summary>
    public static void LoadInto(nn.Module module, string path)
    {
        var raw = EncoderWeights.ReadStateDict(path);
        try
        {
            Fill(module, StateDictKeys.SelectEncoder(raw), path);
        }
        finally
        {
            foreach (var t in raw.Values) t.Dispose();
        }
    }

    /// <summary>The d in a file name like <c>AudioNTT2020-BYOLA-64x96d2048.pth</c>; null when it has none.</summary>
    public static int? FeatureDFromFileName(string path)
    {
        // The first match: later parts of trained-weight names (timestamps, hashes) may contain "d<digits>" too.
        var m = FileNameD().Match(Path.GetFileNameWithoutExtension(path));
        return m.Success && int.TryParse(m.Groups[1].Value, out var d) ? d : null;
    }

    /// <summary>The kind and shape of the official-named weights (<see cref="EncoderKinds.Recognise"/>), after the checks every kind shares.</summary>
    static (EncoderKind Kind, EncoderShape Shape) Inspect(Dictionary<string, Tensor> w, string path)
    {
        if (!w.TryGetValue("fc.0.weight", out var fc0) || !w.TryGetValue("fc.3.weight", out var fc3) || !w.ContainsKey("features.0.weight"))
        {
            var sample = string.Join(", ", w.Keys.Take(6));
            throw new ByolAException($"{path}: no BYOL-A encoder weights found (expected keys features.0.weight, fc.0.weight, fc.3.weight, possibly behind a prefix; found {(w.Count == 0 ? "none of those" : sample)}) — is this an AudioNTT2020/AudioNTT2022 state dict?");
        }
        if (fc0.dim() != 2 || fc3.dim() != 2)
            throw new ByolAException($"{path}: fc.0.weight / fc.3.weight must be matrices, found {Shape(fc0)} and {Shape(fc3)}");
        long inWidth = fc0.shape[1];
        if (inWidth % 64 != 0)
            throw new ByolAException($"{path}: fc.0.weight has {inWidth} inputs, expected 64 × n_mels/8 (v1) or 64 × n_mels/4 (v2); found shape {Shape(fc0)}");
        return EncoderKinds.Recognise(Shapes(w)) ?? throw new ByolAException($"{path}: no encoder kind recognises these weights ({string.Join(", ", EncoderKinds.All)})");
    }

    static Dictionary<string, long[]> Shapes(Dictionary<string, Tensor> w) => w.ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal);

    static string Describe(Dictionary<string, Tensor> w, string key) => w.TryGetValue(key, out var t) ? $"{key} {Shape(t)}" : key + " missing";

    internal static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    static string Describe(nn.Module module) => module switch
    {
        AudioNTT2020Task6 m => $"{m.Architecture} (n_mels={m.NMels}, d={m.D})",
        AudioNTT2020Task6X m => $"{m.Architecture} (n_mels={m.NMels}, d={m.D})",
        AudioNTT2022Encoder m => $"{m.Architecture} (n_mels={m.NMels}, d={m.D}, mlp_hidden_d={m.MlpHiddenD})",
        _ => module.GetName(),
    };

    static long CountNonFinite(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.isfinite().logical_not().sum().item<long>();
    }

    /// <summary>Copies official-named <paramref name="weights"/> into <paramref name="module"/> after checking every key and shape.</summary>
    static void Fill(nn.Module module, Dictionary<string, Tensor> weights, string path)
    {
        var keys = EncoderKinds.OfModule(module);
        var target = module.state_dict();
        var source = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in weights)
        {
            var name = keys.ToModuleKey(key);
            if (name == null || !target.ContainsKey(name))
            {
                // Only BatchNorm's step counter may be absent from one side (older PyTorch files lack it).
                if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal)) continue;
                throw new ByolAException($"{path}: has {key} {Shape(value)}, which {Describe(module)} does not have — the file holds a different architecture");
            }
            source[name] = value;
        }
        foreach (var (name, t) in target)
        {
            var official = keys.ToOfficialKey(name);
            if (!source.TryGetValue(name, out var s))
            {
                if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal)) continue;
                throw new ByolAException($"{path}: {official} is missing; {Describe(module)} expects it with shape {Shape(t)}");
            }
            if (!s.shape.SequenceEqual(t.shape))
                throw new ByolAException($"{path}: {official} has shape {Shape(s)}, but {Describe(module)} expects {Shape(t)}");
            if (!s.is_floating_point() && t.is_floating_point())
                throw new ByolAException($"{path}: {official} holds {s.dtype} values, expected floating point");
            if (s.is_floating_point() && CountNonFinite(s) is var bad and > 0)
                throw new ByolAException($"{path}: {official} holds {bad} NaN or infinite value(s) of {s.numel()}; the weights are damaged (e.g. by a diverged training run) — use an earlier checkpoint or re-download");
        }
        using var noGrad = no_grad();
        foreach (var (name, s) in source)
            target[name].copy_(s);
    }
}
