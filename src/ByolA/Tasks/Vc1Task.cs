using ByolA.Progress;

namespace ByolA.Tasks;

/// <summary>
/// VoxCeleb1 speaker identification: iden_split.txt lines <c>1|2|3 idXXXXX/VIDEO/N.wav</c> (train/valid/test), audio
/// below wav/; the label is the speaker id (the first path component).
/// </summary>
internal sealed class Vc1Task : IDownstreamTask
{
    public string Name => "vc1";
    public string Description => "VoxCeleb1 speaker identification, 1251 speakers (153516 clips)";
    public double UnitSec => 8.2;

    public OfficialCounts Official { get; } = new(153516, 1251,
        new Dictionary<string, int> { [Splits.Train] = 138361, [Splits.Valid] = 6904, [Splits.Test] = 8251 });

    public TaskBuild Build(string datasetRoot, PreprocessOptions options, IProgressReporter progress, CancellationToken ct)
    {
        var listPath = DatasetFiles.RequireFile(datasetRoot, "iden_split.txt", Name);
        var wav = DatasetFiles.RequireDir(datasetRoot, "wav", Name);
        var rows = new List<MetadataRow>();
        var files = new List<TaskFile>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(listPath))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            string? split = parts.Length == 2 ? parts[0] switch { "1" => Splits.Train, "2" => Splits.Valid, "3" => Splits.Test, _ => null } : null;
            if (split == null)
                throw new ByolAException($"{listPath}:{lineNo}: expected '1|2|3 idXXXXX/VIDEO/N.wav', got '{line}'");
            var rel = parts[1].Replace('\\', '/');
            var speaker = rel.Split('/')[0];
            rows.Add(new MetadataRow(rel, speaker, split));
            files.Add(new TaskFile(Path.Combine(wav, rel), rel));
        }
        DatasetFiles.RequireAll(files, Name, listPath);
        return new TaskBuild(new TaskMetadata(rows, listPath), files);
    }
}
