using System.Text.RegularExpressions;

namespace ByolA.Models;

/// <summary>
/// Maps state-dict key names between the layouts found in BYOL-A weight files and the official encoder layout
/// (<c>features.*</c>, <c>fc.*</c>): prefixes added by wrappers (<c>model.</c>, <c>body.</c>, a BYOL learner's
/// <c>online_encoder.net.</c>) and the X models' <c>conv1..3</c>/<c>fc1</c>/<c>fc2</c> names.
/// </summary>
internal static partial class StateDictKeys
{
    [GeneratedRegex(@"(^|\.)(features|fc)\.")]
    private static partial Regex OfficialStart();

    [GeneratedRegex(@"(^|\.)(conv[123]\.[01]|fc1\.0|fc2\.1)\.")]
    private static partial Regex XStart();

    /// <summary>X-model layer name → official name: conv{k}.{i} → features.{4(k−1)+i}, fc1.0 → fc.0, fc2.1 → fc.3.</summary>
    public static string FromX(string key)
    {
        var m = XStart().Match(key);
        if (!m.Success) return key;
        string layer = m.Groups[2].Value;
        string official = layer switch
        {
            "fc1.0" => "fc.0",
            "fc2.1" => "fc.3",
            _ => $"features.{4 * (layer[4] - '1') + (layer[6] - '0')}",
        };
        return key[..m.Groups[2].Index] + official + key[(m.Groups[2].Index + layer.Length)..];
    }

    /// <summary>Official name → X-model name (inverse of <see cref="FromX"/>); null for keys the X model lacks.</summary>
    public static string? ToX(string key)
    {
        var m = Regex.Match(key, @"^(features\.(\d+)|fc\.(\d+))\.(.+)$");
        if (!m.Success) return null;
        string rest = m.Groups[4].Value;
        if (m.Groups[2].Success)
        {
            int i = int.Parse(m.Groups[2].Value);
            return i % 4 < 2 && i < 12 ? $"conv{i / 4 + 1}.{i % 4}.{rest}" : null;
        }
        return m.Groups[3].Value switch { "0" => $"fc1.0.{rest}", "3" => $"fc2.1.{rest}", _ => null };
    }

    /// <summary>
    /// Splits a key into (prefix, official key) when it names an encoder tensor: the prefix is everything before
    /// the first <c>features.</c>/<c>fc.</c> path component (after mapping X names). Other keys give null.
    /// </summary>
    public static (string Prefix, string Key)? Split(string key)
    {
        var k = FromX(key);
        var m = OfficialStart().Match(k);
        if (!m.Success) return null;
        int start = m.Groups[2].Index;
        return (k[..start], k[start..]);
    }

    /// <summary>
    /// The encoder tensors of a (possibly wrapped) state dict under official names. When several prefixes hold
    /// encoder tensors (a BYOL checkpoint has <c>net.</c>, <c>online_encoder.net.</c> and <c>target_encoder.net.</c>)
    /// the online network wins: prefixes without "target" first, then those with "online", then the shortest.
    /// </summary>
    public static Dictionary<string, T> SelectEncoder<T>(IEnumerable<KeyValuePair<string, T>> entries)
    {
        var groups = new Dictionary<string, Dictionary<string, T>>();
        foreach (var (key, value) in entries)
        {
            if (Split(key) is not { } s) continue;
            if (!groups.TryGetValue(s.Prefix, out var g)) groups[s.Prefix] = g = new Dictionary<string, T>();
            g[s.Key] = value;
        }
        if (groups.Count == 0) return new Dictionary<string, T>();
        var best = groups.Keys
            .OrderBy(p => p.Contains("target", StringComparison.OrdinalIgnoreCase) ? 1 : 0)
            .ThenBy(p => p.Contains("online", StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .ThenBy(p => p.Length)
            .ThenBy(p => p, StringComparer.Ordinal)
            .First();
        return groups[best];
    }
}
