using ByolA.Data;
using ByolA.Progress;

namespace ByolA.Tasks;

/// <summary>
/// Google Speech Commands (v0.01 / v0.02): clips are <c>WORD/FILE.wav</c> below the root; validation_list.txt and
/// testing_list.txt name the valid and test clips, every other clip is train; <c>_background_noise_</c> is not a word.
/// </summary>
internal abstract class SpeechCommandsTask : IDownstreamTask
{
    public const string BackgroundNoise = "_background_noise_";

    public abstract string Name { get; }
    public abstract string Description { get; }
    public double UnitSec => 1.0;
    public abstract OfficialCounts Official { get; }

    /// <summary>The label a word folder gets (the word itself here; the 12-class protocol maps it).</summary>
    protected virtual string LabelOf(string word) => word;

    public virtual TaskBuild Build(string datasetRoot, PreprocessOptions options, IProgressReporter progress, CancellationToken ct)
    {
        var (rows, files) = ReadWords(datasetRoot, progress, ct);
        return new TaskBuild(new TaskMetadata(rows), files);
    }

    /// <summary>The metadata rows and files of every word clip (labels through <see cref="LabelOf"/>).</summary>
    protected (List<MetadataRow> Rows, List<TaskFile> Files) ReadWords(string root, IProgressReporter progress, CancellationToken ct)
    {
        var valid = ReadList(root, "validation_list.txt");
        var test = ReadList(root, "testing_list.txt");
        var rows = new List<MetadataRow>();
        var files = new List<TaskFile>();
        var words = Directory.EnumerateDirectories(root)
            .Select(Path.GetFileName)
            .Where(w => w != null && !w.StartsWith('_') && !w.StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (words.Count == 0)
            throw new ByolAException($"{root}: no word folders found; {Name} expects WORD/FILE.wav below the dataset root");
        using var task = progress.Start($"{Name}: listing clips", words.Count);
        foreach (var word in words)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var path in DatasetFiles.Wavs(Path.Combine(root, word!)))
            {
                var rel = DatasetFiles.Relative(root, path);
                var split = test.Contains(rel) ? Splits.Test : valid.Contains(rel) ? Splits.Valid : Splits.Train;
                rows.Add(new MetadataRow(rel, LabelOf(word!), split));
                files.Add(new TaskFile(path, rel));
            }
            task.Advance();
        }
        var listed = rows.Select(r => r.FileName).ToHashSet(StringComparer.Ordinal);
        foreach (var (list, name) in new[] { (valid, "validation_list.txt"), (test, "testing_list.txt") })
        {
            var missing = list.Where(f => !listed.Contains(f)).Order(StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
                throw new ByolAException($"{Path.Combine(root, name)}: {missing.Count} listed clips are missing below {root}, e.g. " +
                                         string.Join(", ", missing.Take(3)) + "; check that the dataset was extracted completely");
        }
        return (rows, files);
    }

    HashSet<string> ReadList(string root, string name)
    {
        var path = DatasetFiles.RequireFile(root, name, Name);
        try
        {
            return File.ReadLines(path).Select(l => l.Trim().Replace('\\', '/')).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            throw IoErrors.Failure(path, "read the list", e);
        }
    }
}
