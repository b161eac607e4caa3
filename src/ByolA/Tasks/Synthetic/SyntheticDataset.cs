using ByolA.Data;
using ByolA.Audio;
using ByolA.Progress;

namespace ByolA.Tasks.Synthetic;

/// <summary>
/// Writes the demo dataset: labelled clips of every <see cref="SoundKind"/> under audio/&lt;kind&gt;/, a metadata.csv
/// (file_name,label,split) in the user-task format that evaluation reads, and unlabelled clips for pretraining.
/// </summary>
public static class SyntheticDataset
{
    /// <summary>The metadata file name inside the dataset folder.</summary>
    public const string MetadataFile = "metadata.csv";

    /// <summary>Generates everything (in parallel, deterministic per clip) and returns where it went.</summary>
    public static SyntheticDatasetInfo Write(SyntheticDatasetOptions options, IProgressReporter progress, CancellationToken token = default)
    {
        options.Validate();
        string audio = Path.Combine(options.Folder, "audio"), unlabelled = Path.Combine(options.Folder, "unlabelled");
        var jobs = new List<(string Path, SoundKind Kind, int Seed)>();
        var rows = new List<MetadataRow>();
        for (int k = 0; k < options.Kinds.Count; k++)
        {
            var kind = options.Kinds[k];
            int nValid = Math.Max(1, (int)Math.Round(options.ClipsPerClass * options.ValidFraction));
            int nTest = Math.Max(1, (int)Math.Round(options.ClipsPerClass * options.TestFraction));
            for (int i = 0; i < options.ClipsPerClass; i++)
            {
                var rel = $"{Label(kind)}/{Label(kind)}_{i:D4}.wav";
                string split = i < nTest ? "test" : i < nTest + nValid ? "valid" : "train";
                rows.Add(new MetadataRow(rel, Label(kind), split));
                jobs.Add((Path.Combine(audio, rel), kind, HashCode.Combine(options.Seed, k, i, 1)));
            }
        }
        var pretrain = new List<string>();
        for (int i = 0; i < options.UnlabelledClips; i++)
        {
            var path = Path.Combine(unlabelled, $"clip_{i:D5}.wav");
            pretrain.Add(path);
            jobs.Add((path, options.Kinds[i % options.Kinds.Count], HashCode.Combine(options.Seed, i, 2)));
        }

        using (var task = progress.Start("generating sounds", jobs.Count))
        {
            Parallel.ForEach(jobs, new ParallelOptions { CancellationToken = token }, job =>
            {
                var wav = SoundGenerator.Generate(job.Kind, new Random(job.Seed), options.SampleRate, options.Seconds);
                Directory.CreateDirectory(Path.GetDirectoryName(job.Path)!);
                WavFile.WritePcm16(job.Path, wav, options.SampleRate);
                task.Advance();
            });
        }

        var metadata = Path.Combine(options.Folder, MetadataFile);
        new TaskMetadata(rows).Write(metadata);
        return new SyntheticDatasetInfo(metadata, audio, unlabelled, rows.Count, pretrain.Count, options.Kinds.Select(Label).ToList());
    }

    /// <summary>The label string of a kind, e.g. "noise-band".</summary>
    public static string Label(SoundKind kind) => kind switch
    {
        SoundKind.NoiseBand => "noise-band",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
