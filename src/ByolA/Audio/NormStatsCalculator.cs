using ByolA.Configuration;
using ByolA.Data;
using ByolA.Progress;
using static TorchSharp.torch;

namespace ByolA.Audio;

/// <summary>
/// Computes <see cref="NormStats"/> as SPEC §6.1 describes: the population mean and std of the log-mel of up to
/// <c>maxFiles</c> randomly chosen files (seeded), each fitted to unit_sec (longer clips at a seeded random crop).
/// Sums run in float64, on the device for TorchSharp; the front end is the engine's own.
/// </summary>
internal static class NormStatsCalculator
{
    /// <summary>The original's sample size.</summary>
    public const int DefaultMaxFiles = 10000;

    /// <summary>
    /// Stats of <paramref name="files"/> (mono WAV at the config's sample rate) with TorchSharp's front end on
    /// <paramref name="device"/>. With <paramref name="skipBad"/>, unreadable files are left out (listed in
    /// <paramref name="skipped"/> when given); otherwise they throw.
    /// </summary>
    public static NormStats Compute(IReadOnlyList<string> files, ByolAConfig config, Device? device = null,
        int maxFiles = DefaultMaxFiles, int seed = 42, int batchSize = 64, bool skipBad = false,
        IProgressReporter? progress = null, ICollection<(string Path, string Reason)>? skipped = null,
        CancellationToken ct = default)
    {
        using var moments = new TorchLogMelMoments(config, device);
        return Compute(files, moments, config, maxFiles, seed, batchSize, skipBad, progress, skipped, ct);
    }

    /// <summary>
    /// The same stats with any front end's <paramref name="moments"/> (an embedding engine's own, so the runtime that
    /// embeds with the stats computes them), which the caller disposes.
    /// </summary>
    public static NormStats Compute(IReadOnlyList<string> files, ILogMelMoments moments, ByolAConfig config,
        int maxFiles = DefaultMaxFiles, int seed = 42, int batchSize = 64, bool skipBad = false,
        IProgressReporter? progress = null, ICollection<(string Path, string Reason)>? skipped = null, CancellationToken ct = default)
    {
        if (maxFiles <= 0) throw new ByolAException($"the stats sample size must be positive (got {maxFiles})");
        if (batchSize <= 0) throw new ByolAException($"batch size must be positive (got {batchSize})");
        if (files.Count == 0) throw new ByolAException("no audio files to compute normalisation stats from");
        progress ??= NullProgressReporter.Instance;

        var chosen = Sample(files, maxFiles, seed);
        var source = new ClipSource(chosen, new ClipSourceOptions
            {
                SampleRate = config.SampleRate, UnitSamples = config.UnitSamples, Crop = ClipCrop.Random, Seed = seed, SkipUnreadable = skipBad, Convert = AudioConversion.ToMono,
            },
            w => progress.Message("warning: " + w));
        using (var task = progress.Start("norm stats", chosen.Count))
        {
            foreach (var batch in source.Batches(source.InOrder(batchSize), 0, ct))
            {
                foreach (var (index, error) in batch.Failed) skipped?.Add((chosen[index], error));
                moments.Add(batch.Samples, batch.Count, batch.UnitSamples);
                task.Advance(batch.Count + batch.Failed.Count);
            }
        }
        ct.ThrowIfCancellationRequested();
        if (moments.Count == 0) throw new ByolAException("no readable audio files to compute normalisation stats from");
        return new NormStats(moments.Mean, moments.Std).Validate();
    }

    /// <summary>Up to <paramref name="maxFiles"/> of <paramref name="files"/>, chosen by a seeded shuffle; all of them when fewer.</summary>
    public static IReadOnlyList<string> Sample(IReadOnlyList<string> files, int maxFiles, int seed)
    {
        if (files.Count <= maxFiles) return files;
        var order = Enumerable.Range(0, files.Count).ToArray();
        new Random(seed).Shuffle(order);
        return order.Take(maxFiles).Order().Select(i => files[i]).ToArray();
    }
}
