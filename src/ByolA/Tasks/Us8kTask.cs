using ByolA.Data;
using System.Globalization;
using ByolA.Progress;
using CsvHelper;
using CsvHelper.Configuration;

namespace ByolA.Tasks;

/// <summary>
/// UrbanSound8K: metadata/UrbanSound8K.csv (slice_file_name, fold, class) and audio/fold{1..10}/; evaluated
/// leave-one-fold-out, so rows carry folds. File names are <c>fold{n}/{slice_file_name}</c>.
/// </summary>
internal sealed class Us8kTask : IDownstreamTask
{
    public string Name => "us8k";
    public string Description => "UrbanSound8K, 10 classes, 10 folds (8732 clips)";
    public double UnitSec => 4.0;

    public OfficialCounts Official { get; } = new(8732, 10, new Dictionary<string, int>
    {
        ["1"] = 873, ["2"] = 888, ["3"] = 925, ["4"] = 990, ["5"] = 936,
        ["6"] = 823, ["7"] = 838, ["8"] = 806, ["9"] = 816, ["10"] = 837,
    });

    public TaskBuild Build(string datasetRoot, PreprocessOptions options, IProgressReporter progress, CancellationToken ct)
    {
        var csvPath = DatasetFiles.RequireFile(datasetRoot, Path.Combine("metadata", "UrbanSound8K.csv"), Name);
        var audio = DatasetFiles.RequireDir(datasetRoot, "audio", Name);
        var rows = new List<MetadataRow>();
        var files = new List<TaskFile>();
        try
        {
            using var reader = new StreamReader(csvPath);
            using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim });
            csv.Read();
            csv.ReadHeader();
            foreach (var col in new[] { "slice_file_name", "fold", "class" })
                if (!csv.HeaderRecord!.Contains(col))
                    throw new ByolAException($"{csvPath}: column '{col}' missing; is this UrbanSound8K's metadata file?");
            while (csv.Read())
            {
                var name = csv.GetField("slice_file_name")!;
                var foldText = csv.GetField("fold");
                if (!int.TryParse(foldText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var fold))
                    throw new ByolAException($"{csvPath}:{csv.Parser.Row}: fold '{foldText}' is not a number");
                var rel = $"fold{fold}/{name}";
                rows.Add(new MetadataRow(rel, csv.GetField("class")!, Fold: fold));
                files.Add(new TaskFile(Path.Combine(audio, $"fold{fold}", name), rel));
            }
        }
        catch (CsvHelperException e)
        {
            throw CsvErrors.Failure(csvPath, e);
        }
        DatasetFiles.RequireAll(files, Name, csvPath);
        return new TaskBuild(new TaskMetadata(rows, csvPath), files);
    }
}
