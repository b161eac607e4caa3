namespace ByolA.Tasks;

/// <summary>
/// The published size of a task: total clips, classes, and clips per split (or per fold); null entries are not
/// checked. Used to warn when a local copy of a dataset differs from the one the reference numbers were made on.
/// </summary>
public sealed record OfficialCounts(int? Total, int? Classes, IReadOnlyDictionary<string, int>? PerSplit = null)
{
    /// <summary>One line per difference between <paramref name="metadata"/> and these counts (empty when they agree).</summary>
    public IReadOnlyList<string> Differences(string task, TaskMetadata metadata)
    {
        var diffs = new List<string>();
        if (Total is int total && metadata.Rows.Count != total)
            diffs.Add($"{task}: {metadata.Rows.Count} clips, the official dataset has {total} ({Signed(metadata.Rows.Count - total)})");
        if (Classes is int classes && metadata.Classes.Count != classes)
            diffs.Add($"{task}: {metadata.Classes.Count} classes, the official dataset has {classes}");
        if (PerSplit != null)
            foreach (var (split, expected) in PerSplit)
            {
                int got = metadata.Rows.Count(r => (r.Split ?? r.Fold?.ToString(System.Globalization.CultureInfo.InvariantCulture)) == split);
                if (got != expected)
                    diffs.Add($"{task}: split '{split}' has {got} clips, the official one has {expected} ({Signed(got - expected)})");
            }
        return diffs;
    }

    static string Signed(int n) => n > 0 ? $"+{n}" : n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
