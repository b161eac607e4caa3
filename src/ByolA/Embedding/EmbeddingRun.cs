using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ByolA.Audio;

namespace ByolA.Embedding;

/// <summary>
/// What made a sharded embed run, recorded in each of its parts (the <c>run</c> member, <c>key=value</c> strings) so
/// that <see cref="EmbeddingMerger"/> joins only parts of one run: the weights' SHA-256, the normalisation stats, the
/// settings that shape an embedding (front end, unit, mode, batch, crop) and a hash of the whole input list.
/// Parts of different runs have the same shape and shard marks, and merged silently into one wrong file.
/// </summary>
internal static class EmbeddingRun
{
    /// <summary>The record of a run over <paramref name="allInputs"/> (every shard's, in the unsharded order).</summary>
    public static IReadOnlyList<string> Describe(EmbedderJobOptions options, NormStats stats, IReadOnlyList<string> allInputs)
    {
        var c = options.Embedding.Config;
        var e = options.Embedding;
        string weights;
        using (var stream = Data.IoErrors.Guard(options.WeightsPath, "read the weights", () => File.OpenRead(options.WeightsPath)))
            weights = Convert.ToHexStringLower(SHA256.HashData(stream));
        using var inputs = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in allInputs)
        {
            var info = new FileInfo(file);
            inputs.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{file}\0{(info.Exists ? info.Length : -1)}\n")));
        }
        return
        [
            "weights_sha256=" + weights,
            "stats=" + stats,
            string.Create(CultureInfo.InvariantCulture,
                $"settings=mode {options.Mode}, unit_sec {c.UnitSec:R}, sample_rate {c.SampleRate}, n_fft {c.NFft}, win_length {c.WinLength}, hop_length {c.HopLength}, " +
                $"n_mels {c.NMels}, f_min {c.FMin:R}, f_max {c.FMax:R}, batch {e.BatchSize}, crop {e.Crop}, frames {e.Frames}, layered {options.Layered}, hop_ms {options.HopMs:R}"),
            string.Create(CultureInfo.InvariantCulture, $"inputs_sha256={Convert.ToHexStringLower(inputs.GetHashAndReset())} ({allInputs.Count} files)"),
        ];
    }

    /// <summary>
    /// The first way <paramref name="other"/>'s record differs from <paramref name="first"/>'s, in words ("other
    /// weights (weights_sha256 …)"), or null when they agree. A part without a record (null) differs from one with.
    /// </summary>
    public static string? Difference(IReadOnlyList<string>? first, IReadOnlyList<string>? other)
    {
        if (first == null && other == null) return null;
        if (first == null || other == null) return "no record of the run that made it, unlike the other";
        var a = ToMap(first);
        var b = ToMap(other);
        foreach (var key in a.Keys.Union(b.Keys))
        {
            a.TryGetValue(key, out var x);
            b.TryGetValue(key, out var y);
            if (x == y) continue;
            string what = key switch
            {
                "weights_sha256" => "other weights",
                "stats" => "other normalisation stats",
                "settings" => "other settings",
                "inputs_sha256" => "another input list",
                _ => "another " + key,
            };
            return $"{what} ({key} {y ?? "missing"} against {x ?? "missing"})";
        }
        return null;
    }

    static Dictionary<string, string> ToMap(IReadOnlyList<string> record) =>
        record.Select(l => l.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First().Length > 1 ? g.First()[1] : "", StringComparer.Ordinal);
}
