using ByolA.Data;
using ByolA.Progress;

namespace ByolA.Tasks;

/// <summary>
/// Speech Commands v0.02 in the 12-class protocol: ten command words, <c>_unknown_</c> for every other word, and
/// <c>_silence_</c> made of 1 s slices of the background-noise recordings. Word clips keep the official split
/// lists; slice k of each recording goes to valid when k mod 10 = 8, test when k mod 10 = 9, else train, so the
/// split is fixed and every split gets silence.
/// </summary>
internal sealed class Spcv2TwelveTask : SpeechCommandsTask
{
    public const string Unknown = "_unknown_";
    public const string Silence = "_silence_";

    static readonly HashSet<string> Commands = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"];

    public override string Name => "spcv2-12";
    public override string Description => "Speech Commands v0.02, 12 classes (10 words, _unknown_, _silence_)";
    public override OfficialCounts Official { get; } = new(null, 12);

    protected override string LabelOf(string word) => Commands.Contains(word) ? word : Unknown;

    public override TaskBuild Build(string datasetRoot, PreprocessOptions options, IProgressReporter progress, CancellationToken ct)
    {
        var (rows, files) = ReadWords(datasetRoot, progress, ct);
        // The word clips are spcv2's, so its published counts apply to them.
        var notes = new Spcv2Task().Official.Differences(Name + " (word clips)", new TaskMetadata(rows)).ToList();
        notes.RemoveAll(n => n.Contains("classes", StringComparison.Ordinal));

        var noiseDir = DatasetFiles.RequireDir(datasetRoot, BackgroundNoise, Name);
        var slices = new List<TaskSlice>();
        foreach (var path in DatasetFiles.Wavs(noiseDir))
        {
            var rel = DatasetFiles.Relative(datasetRoot, path);
            files.Add(new TaskFile(path, rel));
            long samples = ResampledLength(path, options.SampleRate);
            var stem = Path.GetFileNameWithoutExtension(path);
            for (long k = 0; (k + 1) * options.SampleRate <= samples; k++)
            {
                var name = $"{Silence}/{stem}_{k:D4}.wav";
                slices.Add(new TaskSlice(rel, k * options.SampleRate, options.SampleRate, name));
                var split = (k % 10) switch { 8 => Splits.Valid, 9 => Splits.Test, _ => Splits.Train };
                rows.Add(new MetadataRow(name, Silence, split));
            }
        }
        if (slices.Count == 0)
            throw new ByolAException($"{noiseDir}: no background-noise recording of at least 1 s; {Name} cuts its _silence_ class from them");
        return new TaskBuild(new TaskMetadata(rows), files, slices, notes);
    }

    /// <summary>Length in samples after resampling to <paramref name="sampleRate"/>, from the WAV header alone.</summary>
    static long ResampledLength(string path, int sampleRate)
    {
        var layout = RiffWalker.Read(path);
        // Same rounding as a resampler producing ceil(n · new / old) samples.
        return (layout.Frames * sampleRate + layout.SampleRate - 1) / layout.SampleRate;
    }
}
