using ByolA.Runtime;
using ByolA.Data;
using ByolA.Audio;
using ByolA.Progress;

namespace ByolA.Tasks.Synthetic;

/// <summary>
/// Writes the demo dataset: labelled clips of every <see cref="SoundKind"/> under audio/&lt;kind&gt;/, a metadata.csv
/// (file_name,label,split) in the user-task format that evaluation reads, and unlabelled clips for pretraining.
/// </summary>
internal static class SyntheticDataset
{
    /// <summary>The metadata file name inside the dataset folder.</summary>
    public const string MetadataFile = "metadata.csv";

    // Each clip draws from its own generator derived from (seed, stream, class, index) with a fixed function, never
    // from HashCode (randomised per process) or a shared generator (order would depend on thread timing).
    const long LabelledStream = 1, UnlabelledStream = 2;

    /// <summary>Generates everything (in parallel, deterministic per clip) and returns where it went.</summary>
    public static SyntheticDatasetInfo Write(SyntheticDatasetOptions options, IProgressReporter progress, CancellationToken token = default)
    {
        options.Validate();
        string audio = Path.Combine(options.Folder, "audio"), unlabelled = Path.Combine(options.Folder, "unlabelled");
        var jobs = new List<(string Path, SoundKind Kind, SeededRandom Rng, bool Labelled)>();
        var rows = new List<MetadataRow>();
        foreach (var kind in options.Kinds)
        {
            for (int i = 0; i < options.ClipsPerClass; i++)
            {
                var rel = $"{Label(kind)}/{Label(kind)}_{i:D4}.wav";
                string split = i < options.TestPerClass ? Splits.Test : i < options.TestPerClass + options.ValidPerClass ? Splits.Valid : Splits.Train;
                rows.Add(new MetadataRow(rel, Label(kind), split));
                jobs.Add((Path.Combine(audio, rel), kind, SeededRandom.Derive(options.Seed, LabelledStream, (long)kind, i), true));
            }
        }
        var pretrain = new List<string>();
        for (int i = 0; i < options.UnlabelledClips; i++)
        {
            var path = Path.Combine(unlabelled, $"clip_{i:D5}.wav");
            pretrain.Add(path);
            jobs.Add((path, options.Kinds[i % options.Kinds.Count], SeededRandom.Derive(options.Seed, UnlabelledStream, i), false));
        }

        using (var task = progress.Start("generating sounds", jobs.Count))
        {
            Parallel.ForEach(jobs, new ParallelOptions { CancellationToken = token }, job =>
            {
                var wav = SoundGenerator.Generate(job.Kind, job.Rng, options.SampleRate, options.Seconds);
                if (job.Labelled && options.BackgroundDb is var (lo, hi))
                {
                    // Drawn from the clip's own generator after its sound, so the clip stays one function of its seed.
                    int k = options.Kinds.Count, own = IndexOf(options.Kinds, job.Kind);
                    var other = options.Kinds[(own + job.Rng.RandInt(1, k - 1)) % k];
                    double db = job.Rng.Uniform(lo, hi);
                    wav = Mix(wav, SoundGenerator.Generate(other, job.Rng, options.SampleRate, options.Seconds), db);
                }
                Directory.CreateDirectory(Path.GetDirectoryName(job.Path)!);
                WavFile.WritePcm16(job.Path, wav, options.SampleRate);
                task.Advance();
            });
        }

        var metadata = Path.Combine(options.Folder, MetadataFile);
        new TaskMetadata(rows).Write(metadata);
        return new SyntheticDatasetInfo(metadata, audio, unlabelled, rows.Count, pretrain, options.Kinds.Select(Label).ToList());
    }

    static int IndexOf(IReadOnlyList<SoundKind> kinds, SoundKind kind)
    {
        for (int i = 0; i < kinds.Count; i++) if (kinds[i] == kind) return i;
        return -1;
    }

    /// <summary>
    /// <paramref name="sound"/> plus <paramref name="background"/> scaled to <paramref name="db"/> dB of the sound's
    /// RMS, scaled down together if the sum would reach full scale.
    /// </summary>
    internal static float[] Mix(float[] sound, float[] background, double db)
    {
        static double Rms(float[] x) => Math.Sqrt(x.Sum(v => (double)v * v) / Math.Max(1, x.Length));
        double gain = Rms(background) > 0 ? Rms(sound) * Math.Pow(10, db / 20) / Rms(background) : 0;
        var mixed = new float[sound.Length];
        for (int i = 0; i < mixed.Length; i++) mixed[i] = (float)(sound[i] + gain * background[i]);
        double peak = mixed.Max(v => Math.Abs((double)v));
        if (peak > 0.99)
            for (int i = 0; i < mixed.Length; i++) mixed[i] = (float)(mixed[i] * 0.99 / peak);
        return mixed;
    }

    /// <summary>The label string of a kind, e.g. "noise-band".</summary>
    public static string Label(SoundKind kind) => kind switch
    {
        SoundKind.NoiseBand => "noise-band",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
