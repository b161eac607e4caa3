using System.Text.Json;
using ByolA.Progress;

namespace ByolA.Tasks;

/// <summary>
/// NSynth: nsynth-{train,valid,test}/examples.json (note name → attributes) and nsynth-*/audio/NOTE.wav; the label
/// is <c>instrument_family_str</c> (11 families).
/// </summary>
internal sealed class NsynthTask : IDownstreamTask
{
    public string Name => "nsynth";
    public string Description => "NSynth instrument family, 11 classes (305979 clips)";
    public double UnitSec => 4.0;

    public OfficialCounts Official { get; } = new(305979, 11,
        new Dictionary<string, int> { [Splits.Train] = 289205, [Splits.Valid] = 12678, [Splits.Test] = 4096 });

    public TaskBuild Build(string datasetRoot, PreprocessOptions options, IProgressReporter progress, CancellationToken ct)
    {
        var rows = new List<MetadataRow>();
        var files = new List<TaskFile>();
        using var task = progress.Start($"{Name}: reading examples.json", 3);
        foreach (var split in new[] { Splits.Train, Splits.Valid, Splits.Test })
        {
            ct.ThrowIfCancellationRequested();
            var folder = $"nsynth-{split}";
            var json = DatasetFiles.RequireFile(datasetRoot, Path.Combine(folder, "examples.json"), Name);
            try
            {
                using var stream = File.OpenRead(json);
                using var doc = JsonDocument.Parse(stream);
                foreach (var note in doc.RootElement.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!note.Value.TryGetProperty("instrument_family_str", out var family) || family.ValueKind != JsonValueKind.String)
                        throw new ByolAException($"{json}: note '{note.Name}' has no instrument_family_str");
                    var rel = $"{folder}/audio/{note.Name}.wav";
                    rows.Add(new MetadataRow(rel, family.GetString()!, split));
                    files.Add(new TaskFile(Path.Combine(datasetRoot, folder, "audio", note.Name + ".wav"), rel));
                }
            }
            catch (JsonException e)
            {
                throw new ByolAException($"{json}: unreadable JSON ({e.Message})", e);
            }
            task.Advance();
        }
        DatasetFiles.RequireAll(files, Name, "examples.json");
        return new TaskBuild(new TaskMetadata(rows), files);
    }
}
