using ByolA.Progress;

namespace ByolA.Tasks;

/// <summary>
/// FSD50K, multi-label (SPEC §9): <c>FSD50K.ground_truth/dev.csv</c> (fname, labels, mids, split train/val) gives the
/// train and valid splits, <c>eval.csv</c> (fname, labels, mids) the test split; audio in
/// <c>FSD50K.dev_audio/FNAME.wav</c> and <c>FSD50K.eval_audio/FNAME.wav</c>. The label cell is the clip's
/// <c>labels</c> cell (comma-separated class names of <c>vocabulary.csv</c>, 200 classes).
/// </summary>
internal sealed class Fsd50kTask : IDownstreamTask
{
    public string Name => "fsd50k";
    public string Description => "FSD50K, 200 classes, multi-label (51197 clips)";
    public double UnitSec => 7.6358;
    public bool MultiLabel => true;

    public OfficialCounts Official { get; } = new(51197, 200,
        new Dictionary<string, int> { [Splits.Train] = 36796, [Splits.Valid] = 4170, [Splits.Test] = 10231 });

    public TaskBuild Build(string datasetRoot, PreprocessOptions options, IProgressReporter progress, CancellationToken ct)
    {
        var dev = DatasetFiles.RequireFile(datasetRoot, Path.Combine("FSD50K.ground_truth", "dev.csv"), Name);
        var eval = DatasetFiles.RequireFile(datasetRoot, Path.Combine("FSD50K.ground_truth", "eval.csv"), Name);
        var rows = new List<MetadataRow>();
        foreach (var (line, cells) in DatasetCsv.Read(dev, ["fname", "labels", "split"], "FSD50K's dev.csv"))
        {
            var split = cells["split"] switch
            {
                "train" => Splits.Train,
                "val" => Splits.Valid,
                var other => throw new ByolAException($"{dev}:{line}: split '{other}' is neither train nor val"),
            };
            rows.Add(Row(dev, line, cells, "FSD50K.dev_audio", split));
        }
        foreach (var (line, cells) in DatasetCsv.Read(eval, ["fname", "labels"], "FSD50K's eval.csv"))
            rows.Add(Row(eval, line, cells, "FSD50K.eval_audio", Splits.Test));
        var files = rows.Select(r => new TaskFile(Path.Combine(datasetRoot, r.FileName), r.FileName)).ToList();
        DatasetFiles.RequireAll(files, Name, "FSD50K.ground_truth/*.csv");
        return new TaskBuild(new TaskMetadata(rows), files);
    }

    static MetadataRow Row(string path, int line, Dictionary<string, string> cells, string folder, string split)
    {
        if (cells["fname"].Length == 0 || cells["labels"].Length == 0) throw new ByolAException($"{path}:{line}: empty fname or labels");
        return new MetadataRow($"{folder}/{cells["fname"]}.wav", cells["labels"], split);
    }
}
