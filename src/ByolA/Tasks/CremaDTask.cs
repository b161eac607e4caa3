using System.Text.RegularExpressions;
using ByolA.Progress;

namespace ByolA.Tasks;

/// <summary>
/// CREMA-D emotions (SPEC §9): <c>AudioWAV/ACTOR_SENTENCE_EMOTION_LEVEL.wav</c>, 7442 clips of 91 actors (1001–1091),
/// label = the emotion (ANG, DIS, FEA, HAP, NEU, SAD). Split by actor so no actor is in two splits: 63 / 9 / 19 actors
/// for train / valid / test, drawn with the seed (the split is written into the metadata), or read from
/// <see cref="PreprocessOptions.SplitCsv"/> (<c>actor,split</c>).
/// </summary>
internal sealed partial class CremaDTask : IDownstreamTask
{
    public string Name => "cremad";
    public string Description => "CREMA-D emotions, 6 classes, split by actor (7442 clips)";
    public double UnitSec => 2.5;

    public OfficialCounts Official { get; } = new(7442, 6);

    /// <summary>Actors per split (of 91) when the seed draws the split.</summary>
    public const int TrainActors = 63, ValidActors = 9, TestActors = 19;

    [GeneratedRegex(@"^(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{1,2})\.wav$", RegexOptions.IgnoreCase)]
    private static partial Regex ClipName();

    public TaskBuild Build(string datasetRoot, PreprocessOptions options, IProgressReporter progress, CancellationToken ct)
    {
        var audio = DatasetFiles.RequireDir(datasetRoot, "AudioWAV", Name);
        var clips = new List<(string Path, string Actor, string Emotion)>();
        var odd = new List<string>();
        foreach (var path in DatasetFiles.Wavs(audio))
        {
            var m = ClipName().Match(Path.GetFileName(path));
            if (m.Success) clips.Add((path, m.Groups[1].Value, m.Groups[3].Value.ToUpperInvariant()));
            else odd.Add(Path.GetFileName(path));
        }
        if (clips.Count == 0)
            throw new ByolAException($"{audio}: no ACTOR_SENTENCE_EMOTION_LEVEL.wav clips; is {datasetRoot} the CREMA-D dataset root?");
        var actors = clips.Select(c => c.Actor).Distinct().Order(StringComparer.Ordinal).ToList();
        var splitOf = options.SplitCsv != null ? ReadSplit(options.SplitCsv, actors) : DrawSplit(actors, options.Seed);
        var notes = new List<string>();
        if (odd.Count > 0) notes.Add($"{Name}: skipped {odd.Count} file(s) not named ACTOR_SENTENCE_EMOTION_LEVEL.wav, e.g. {odd[0]}");
        if (actors.Count != 91) notes.Add($"{Name}: {actors.Count} actors, the official dataset has 91");
        notes.Add($"{Name}: actors per split train {actors.Count(a => splitOf[a] == Splits.Train)}, valid {actors.Count(a => splitOf[a] == Splits.Valid)}, " +
                  $"test {actors.Count(a => splitOf[a] == Splits.Test)}" + (options.SplitCsv != null ? $" (from {options.SplitCsv})" : $" (seed {options.Seed})"));
        var rows = clips.Select(c => new MetadataRow("AudioWAV/" + Path.GetFileName(c.Path), c.Emotion, splitOf[c.Actor])).ToList();
        var files = clips.Select(c => new TaskFile(c.Path, "AudioWAV/" + Path.GetFileName(c.Path))).ToList();
        return new TaskBuild(new TaskMetadata(rows), files, [], notes);
    }

    /// <summary>
    /// The seeded actor split: actors shuffled, then the first 19 (scaled to the actors present) test, the next 9 valid,
    /// the rest train.
    /// </summary>
    static Dictionary<string, string> DrawSplit(List<string> actors, int seed)
    {
        var shuffled = actors.ToArray();
        new Random(seed).Shuffle(shuffled);
        int total = TrainActors + ValidActors + TestActors;
        int test = Math.Max(1, (int)Math.Round((double)actors.Count * TestActors / total));
        int valid = Math.Max(1, (int)Math.Round((double)actors.Count * ValidActors / total));
        if (actors.Count < 3) throw new ByolAException($"cremad: {actors.Count} actor(s); a split by actor needs at least 3");
        return shuffled.Select((a, i) => (a, Split: i < test ? Splits.Test : i < test + valid ? Splits.Valid : Splits.Train))
            .ToDictionary(p => p.a, p => p.Split);
    }

    static Dictionary<string, string> ReadSplit(string path, List<string> actors)
    {
        var split = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (line, cells) in DatasetCsv.Read(path, ["actor", "split"], "a CREMA-D actor split CSV (actor,split)"))
        {
            var value = Splits.Normalise(cells["split"])
                ?? throw new ByolAException($"{path}:{line}: split '{cells["split"]}' must be train, valid (or val) or test");
            if (!split.TryAdd(cells["actor"], value) && split[cells["actor"]] != value)
                throw new ByolAException($"{path}:{line}: actor {cells["actor"]} is listed in two splits; an actor belongs to one");
        }
        var unlisted = actors.Where(a => !split.ContainsKey(a)).ToList();
        if (unlisted.Count > 0)
            throw new ByolAException($"{path}: {unlisted.Count} actor(s) of the dataset are not listed, e.g. {unlisted[0]}; list every actor with its split");
        return split;
    }
}
