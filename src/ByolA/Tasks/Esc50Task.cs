using System.Globalization;
using ByolA.Progress;

namespace ByolA.Tasks;

/// <summary>
/// ESC-50 (SPEC §9): <c>meta/esc50.csv</c> (filename, fold, target, category; the label is the category) and
/// <c>audio/FILENAME</c>; 2000 five-second clips, 50 classes, 5 folds evaluated leave-one-fold-out like us8k.
/// </summary>
internal sealed class Esc50Task : IDownstreamTask
{
    public string Name => "esc50";
    public string Description => "ESC-50 environmental sounds, 50 classes, 5 folds (2000 clips)";
    public double UnitSec => 5.0;

    public OfficialCounts Official { get; } = new(2000, 50, new Dictionary<string, int>
    {
        ["1"] = 400, ["2"] = 400, ["3"] = 400, ["4"] = 400, ["5"] = 400,
    });

    public TaskBuild Build(string datasetRoot, PreprocessOptions options, IProgressReporter progress, CancellationToken ct)
    {
        var csvPath = DatasetFiles.RequireFile(datasetRoot, Path.Combine("meta", "esc50.csv"), Name);
        var audio = DatasetFiles.RequireDir(datasetRoot, "audio", Name);
        var rows = new List<MetadataRow>();
        var files = new List<TaskFile>();
        foreach (var (line, cells) in DatasetCsv.Read(csvPath, ["filename", "fold", "category"], "ESC-50's meta/esc50.csv"))
        {
            if (!int.TryParse(cells["fold"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var fold))
                throw new ByolAException($"{csvPath}:{line}: fold '{cells["fold"]}' is not a number");
            var name = cells["filename"];
            if (name.Length == 0 || cells["category"].Length == 0) throw new ByolAException($"{csvPath}:{line}: empty filename or category");
            rows.Add(new MetadataRow(name, cells["category"], Fold: fold));
            files.Add(new TaskFile(Path.Combine(audio, name), name));
        }
        DatasetFiles.RequireAll(files, Name, csvPath);
        return new TaskBuild(new TaskMetadata(rows, csvPath), files);
    }
}
