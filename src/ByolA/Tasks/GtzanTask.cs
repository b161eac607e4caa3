using ByolA.Progress;

namespace ByolA.Tasks;

/// <summary>
/// GTZAN genres (SPEC §9) with the fault-filtered split of Lee et al.: <c>train_filtered.txt</c>,
/// <c>valid_filtered.txt</c> and <c>test_filtered.txt</c> (one <c>genre/file.wav</c> per line; 443 / 197 / 290 clips)
/// in <see cref="PreprocessOptions.ListsDir"/> (default: the dataset root). The label is the genre folder; clips not
/// listed are left out. The audio is found below the dataset root, or its <c>genres_original</c> or <c>genres</c> folder.
/// </summary>
internal sealed class GtzanTask : IDownstreamTask
{
    public string Name => "gtzan";
    public string Description => "GTZAN music genres, 10 classes, fault-filtered split (930 of 1000 clips)";
    public double UnitSec => 30.0;

    public OfficialCounts Official { get; } = new(930, 10,
        new Dictionary<string, int> { [Splits.Train] = 443, [Splits.Valid] = 197, [Splits.Test] = 290 });

    static readonly (string File, string Split)[] Lists =
        [("train_filtered.txt", Splits.Train), ("valid_filtered.txt", Splits.Valid), ("test_filtered.txt", Splits.Test)];

    public TaskBuild Build(string datasetRoot, PreprocessOptions options, IProgressReporter progress, CancellationToken ct)
    {
        var listsDir = options.ListsDir ?? datasetRoot;
        var missing = Lists.Where(l => !File.Exists(Path.Combine(listsDir, l.File))).Select(l => l.File).ToList();
        if (missing.Count > 0)
            throw new ByolAException($"{listsDir}: {string.Join(", ", missing)} not found; gtzan needs the fault-filtered split lists " +
                                     "train_filtered.txt, valid_filtered.txt and test_filtered.txt (one genre/file.wav per line) " +
                                     "in the dataset root or in the folder given as the lists folder");
        var listed = new List<(string Rel, string Split, string List, int Line)>();
        foreach (var (file, split) in Lists)
        {
            var path = Path.Combine(listsDir, file);
            var lines = File.ReadAllLines(path);
            for (int i = 0; i < lines.Length; i++)
            {
                var rel = lines[i].Trim().Replace('\\', '/');
                if (rel.Length == 0) continue;
                if (rel.Split('/').Length != 2)
                    throw new ByolAException($"{path}:{i + 1}: '{rel}' is not genre/file.wav");
                listed.Add((rel, split, path, i + 1));
            }
        }
        if (listed.Count == 0) throw new ByolAException($"{listsDir}: the three split lists are empty");
        // The audio folder is the first candidate holding the first listed clip.
        var audio = new[] { datasetRoot, Path.Combine(datasetRoot, "genres_original"), Path.Combine(datasetRoot, "genres") }
            .FirstOrDefault(d => File.Exists(Path.Combine(d, listed[0].Rel)))
            ?? throw new ByolAException($"{datasetRoot}: {listed[0].Rel} (listed first in {Path.GetFileName(listed[0].List)}) is not below it, " +
                                        "its genres_original/ or its genres/ folder; is this the GTZAN dataset root?");
        var rows = listed.Select(l => new MetadataRow(l.Rel, l.Rel.Split('/')[0], l.Split)).ToList();
        var files = listed.Select(l => new TaskFile(Path.Combine(audio, l.Rel), l.Rel)).ToList();
        DatasetFiles.RequireAll(files, Name, "the *_filtered.txt lists");
        return new TaskBuild(new TaskMetadata(rows), files);
    }
}
