using ByolA.Models;
using ByolA.Data;
using System.Collections;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Weights;

/// <summary>
/// Reads and writes encoder weights as PyTorch <c>torch.save</c> zip archives of a state dict (what the original
/// BYOL-A code reads and writes): read with <see cref="StateDictReader"/>, written with <see cref="StateDictWriter"/>.
/// </summary>
internal static class EncoderWeights
{
    /// <summary>
    /// Every tensor of a PyTorch state-dict file, on the CPU, with its key as stored. A dict that nests the
    /// state dict under 'state_dict' or 'model' (training checkpoints) is unwrapped. Failures to read the file
    /// throw <see cref="ByolAException"/> naming it.
    /// </summary>
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        if (Directory.Exists(path))
            throw new ByolAException($"{path}: is a folder, not a weight file; give the .pth file itself");
        if (!File.Exists(path))
            throw new ByolAException($"{path}: weight file not found");
        var raw = StateDictReader.Read(path);
        return Flatten(raw, path);
    }

    static Dictionary<string, Tensor> Flatten(Hashtable table, string path)
    {
        foreach (var nested in new[] { "state_dict", "model" })
            if (table[nested] is Hashtable inner)
                return Flatten(inner, path);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in table)
            if (e.Key is string k && e.Value is Tensor t)
                result[k] = t;
        if (result.Count == 0)
            throw new ByolAException($"{path}: holds no tensors (keys: {string.Join(", ", table.Keys.Cast<object>().Take(8))}); expected an encoder state dict");
        return result;
    }

    /// <summary>
    /// Writes <paramref name="module"/>'s state dict to <paramref name="path"/> as a PyTorch-loadable file with the
    /// official key names (X models are renamed back to <c>features.*</c>/<c>fc.*</c>), so both the original code
    /// (<c>torch.load</c> + <c>load_state_dict</c>) and <see cref="EncoderLoader"/> read it. Atomic: written to a
    /// temporary name in the same folder, then renamed.
    /// </summary>
    public static void Save(nn.Module module, string path) => Save(Entries(module), path);

    /// <summary>
    /// Writes <paramref name="module"/>'s state dict, under the official key names, to <paramref name="stream"/>; with
    /// <paramref name="sampleRate"/>, the rate it was trained at is recorded too (<see cref="SampleRateOf"/>).
    /// </summary>
    public static void Write(nn.Module module, Stream stream, int? sampleRate = null)
    {
        if (sampleRate is { } rate)
            StateDictWriter.Write(stream, Entries(module), new Dictionary<string, string> { [SampleRateRecord] = rate.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        else StateDictWriter.Write(stream, Entries(module));
    }

    const string SampleRateRecord = "sample_rate";

    /// <summary>The sample rate recorded in the weight file at <paramref name="path"/> by training, or null (official and older files).</summary>
    public static int? SampleRateOf(string path) =>
        int.TryParse(StateDictWriter.ReadRecord(path, SampleRateRecord), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var rate) ? rate : null;

    /// <summary>
    /// Throws one line when the weight file at <paramref name="path"/> records a sample rate other than
    /// <paramref name="sampleRate"/> (the config's): its filters learned from log-mels of another rate.
    /// </summary>
    public static void RequireSampleRate(string path, int sampleRate)
    {
        if (SampleRateOf(path) is { } trained && trained != sampleRate)
            throw new ByolAException($"{path}: trained at {trained} Hz, but the config's sample_rate is {sampleRate} Hz; " +
                                     $"use the config it was trained with (sample_rate {trained} and its n_fft, win_length, hop_length)");
    }

    static IEnumerable<KeyValuePair<string, Tensor>> Entries(nn.Module module)
    {
        var keys = EncoderKinds.OfModule(module);
        return module.state_dict().Select(kv => new KeyValuePair<string, Tensor>(keys.ToOfficialKey(kv.Key), kv.Value));
    }

    /// <summary>
    /// Writes named tensors as a PyTorch state-dict file, atomically (temporary name, then rename); an I/O failure is a
    /// one-line <see cref="ByolAException"/> naming <paramref name="path"/> (<see cref="AtomicFile.Write"/>).
    /// </summary>
    public static void Save(IEnumerable<KeyValuePair<string, Tensor>> stateDict, string path) =>
        AtomicFile.Write(path, stream => StateDictWriter.Write(stream, stateDict), durable: true);
}
