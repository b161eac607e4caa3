using ByolA.Progress;

namespace ByolA.Tasks;

/// <summary>
/// AudioSet 20K, multi-label (SPEC §9): the balanced train segments (train) and the eval segments (test) from
/// <c>balanced_train_segments.csv</c> and <c>eval_segments.csv</c> (3 header lines, then
/// <c>YTID, start, end, "mid1,mid2"</c>) with <c>class_labels_indices.csv</c> (index, mid, display_name; 527 classes).
/// Audio is found as <c>SPLIT_FOLDER/YTID*.wav</c> (train: <c>balanced_train_segments/</c> or <c>balanced_train/</c>;
/// test: <c>eval_segments/</c> or <c>eval/</c>); downloads always miss some segments, so only the clips present are used,
/// and the present and listed counts are reported. Labels are the classes' display names with their commas replaced by
/// semicolons (a comma separates labels). No validation split: a seeded 10% of train holding every class where possible.
/// </summary>
internal sealed class As20kTask : IDownstreamTask
{
    public string Name => "as20k";
    public string Description => "AudioSet balanced train + eval, 527 classes, multi-label (the clips present of about 22k + 20k)";
    public double UnitSec => 10.0;
    public bool MultiLabel => true;

    /// <summary>Only the class count is checked: which clips a download holds varies, and the missing ones are reported.</summary>
    public OfficialCounts Official { get; } = new(null, 527);

    /// <summary>Fraction of the train clips held out for validation.</summary>
    public const double ValidFraction = 0.1;

    static readonly string[] TrainFolders = ["balanced_train_segments", "balanced_train"];
    static readonly string[] EvalFolders = ["eval_segments", "eval"];

    /// <summary>Characters of a YouTube id, the prefix of each clip's file name.</summary>
    const int YtidLength = 11;

    public TaskBuild Build(string datasetRoot, PreprocessOptions options, IProgressReporter progress, CancellationToken ct)
    {
        var classesPath = DatasetFiles.RequireFile(datasetRoot, "class_labels_indices.csv", Name);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (line, cells) in DatasetCsv.Read(classesPath, ["mid", "display_name"], "AudioSet's class_labels_indices.csv"))
            names[cells["mid"]] = cells["display_name"].Replace(TaskMetadata.LabelSeparator, ';');
        var notes = new List<string>();
        var train = Segments(datasetRoot, "balanced_train_segments.csv", TrainFolders, names, notes);
        var test = Segments(datasetRoot, "eval_segments.csv", EvalFolders, names, notes);
        if (train.Count == 0 || test.Count == 0)
            throw new ByolAException($"{datasetRoot}: no {(train.Count == 0 ? "balanced train" : "eval")} clip is present; " +
                                     $"put them in {(train.Count == 0 ? TrainFolders[0] : EvalFolders[0])}/ as YTID….wav");
        var valid = HoldOut(train, options.Seed);
        var rows = train.Select((t, i) => t.Row with { Split = valid.Contains(i) ? Splits.Valid : Splits.Train })
            .Concat(test.Select(t => t.Row with { Split = Splits.Test })).ToList();
        var files = train.Concat(test).Select(t => new TaskFile(t.Source, t.Row.FileName)).ToList();
        return new TaskBuild(new TaskMetadata(rows), files, [], notes);
    }

    List<(MetadataRow Row, string Source)> Segments(string root, string list, string[] folders, Dictionary<string, string> names, List<string> notes)
    {
        var path = DatasetFiles.RequireFile(root, list, Name);
        var folder = folders.Select(f => Path.Combine(root, f)).FirstOrDefault(Directory.Exists)
            ?? throw new ByolAException($"{root}: neither {string.Join(" nor ", folders.Select(f => f + "/"))} exists; {Name} finds the clips of {list} there as YTID….wav");
        // One pass over the folder: clips by YouTube id (the first 11 characters of the file name).
        var present = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var wav in DatasetFiles.Wavs(folder))
        {
            var file = Path.GetFileName(wav);
            if (file.Length >= YtidLength) present.TryAdd(file[..YtidLength], wav);
        }
        var result = new List<(MetadataRow, string)>();
        int listed = 0;
        // Two comment lines, then the "# YTID, start_seconds, end_seconds, positive_labels" header.
        foreach (var (line, cells) in DatasetCsv.Read(path, ["YTID", "positive_labels"], $"AudioSet's {list}", skipLines: 2))
        {
            listed++;
            var mids = cells["positive_labels"].Split(TaskMetadata.LabelSeparator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (mids.Length == 0) throw new ByolAException($"{path}:{line}: segment {cells["YTID"]} has no labels");
            var unknown = mids.FirstOrDefault(m => !names.ContainsKey(m));
            if (unknown != null) throw new ByolAException($"{path}:{line}: label {unknown} is not in class_labels_indices.csv");
            if (!present.TryGetValue(cells["YTID"], out var source)) continue;
            var rel = DatasetFiles.Relative(root, source);
            result.Add((new MetadataRow(rel, string.Join(TaskMetadata.LabelSeparator, mids.Select(m => names[m]).Distinct()), Splits.Train), source));
        }
        notes.Add($"{Name}: {result.Count} of the {listed} segments listed in {list} are present in {Path.GetFileName(folder)}/" +
                  (result.Count < listed ? $" ({listed - result.Count} missing, left out)" : ""));
        return result;
    }

    /// <summary>
    /// Indices of a seeded <see cref="ValidFraction"/> of <paramref name="train"/>, topped up so every class with at least
    /// two train clips has a validation clip, and trimmed so no class loses its last train clip.
    /// </summary>
    static HashSet<int> HoldOut(List<(MetadataRow Row, string Source)> train, int seed)
    {
        var labels = train.Select(t => t.Row.Label.Split(TaskMetadata.LabelSeparator)).ToArray();
        var order = Enumerable.Range(0, train.Count).ToArray();
        new Random(seed).Shuffle(order);
        var valid = order.Take((int)Math.Round(train.Count * ValidFraction)).ToHashSet();
        var count = labels.SelectMany(l => l).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        var covered = valid.SelectMany(i => labels[i]).ToHashSet();
        foreach (var label in count.Where(c => c.Value >= 2).Select(c => c.Key).Order(StringComparer.Ordinal))
            if (!covered.Contains(label) && order.FirstOrDefault(i => !valid.Contains(i) && labels[i].Contains(label), -1) is var add && add >= 0)
            {
                valid.Add(add);
                covered.UnionWith(labels[add]);
            }
        var inTrain = new Dictionary<string, int>(count);
        foreach (var i in valid) foreach (var l in labels[i]) inTrain[l]--;
        foreach (var i in order.Where(valid.Contains).ToList())
            if (labels[i].Any(l => inTrain[l] == 0))
            {
                valid.Remove(i);
                foreach (var l in labels[i]) inTrain[l]++;
            }
        return valid;
    }
}
