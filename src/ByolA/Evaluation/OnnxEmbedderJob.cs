using ByolA.Data;
using ByolA.Onnx;
using ByolA.Progress;

namespace ByolA.Evaluation;

/// <summary>
/// <c>byola embed MODEL.onnx</c>: the same job as <see cref="EmbedderJob"/> (inputs, stats given / from a folder /
/// from the inputs, crop, batches, skipping, .npy or .csv out) run by <see cref="OnnxEncoder"/>, so libtorch is never
/// loaded. Without stats options the model's own stats (recorded at export) are used when it has them.
/// </summary>
public static class OnnxEmbedderJob
{
    public static EmbedderJobResult Run(EmbedderJobOptions options, IProgressReporter progress, CancellationToken ct)
    {
        int threads = options.OnnxThreads ?? 0;
        options.Validate();
        if (options.Mode != EmbedMode.Clip || options.Shard != null || Path.GetExtension(options.OutPath).Equals(".npz", StringComparison.OrdinalIgnoreCase))
            throw new OptionException("{0} is an ONNX model, which embeds unit_sec clips to .npy or .csv; timestamps, whole files, shards and .npz output need .pth weights",
                nameof(options.WeightsPath));
        var embedding = options.Embedding;
        var config = embedding.Config;
        EmbedderOutput.CheckWritable(options.OutPath);
        var files = EmbedderInputs.Expand(options.Inputs, w => progress.Message("warning: " + w));
        var (_, info) = OnnxModelFile.Load(options.WeightsPath);
        info.RequireFrontEnd(config, options.WeightsPath);
        if (options.Layered != info.Layered)
            throw new ByolAException(info.Layered
                ? $"{options.WeightsPath}: the model was exported with layered features; ask for layered features, or export it again without"
                : $"{options.WeightsPath}: the model was exported without layered features; export the .pth weights again with layered features");
        long logMelFrames = 1 + config.UnitSamples / config.HopLength;
        if (logMelFrames < info.FrameStride)
            throw new ByolAException($"unit_sec {config.UnitSec} gives {logMelFrames} log-mel frames; the encoder needs at least {info.FrameStride}");

        var skipped = new List<(string Path, string Reason)>();
        var stats = options.Stats;
        bool computed = false;
        if (stats == null && options.StatsFrom == null && info.Stats is var (mean, std))
        {
            // Held to the rule given stats follow: a std of 0 or a NaN in a hand-edited or foreign file embedded to all-NaN.
            try { stats = new NormStats(mean, std).Validate(); }
            catch (ByolAException e)
            {
                throw ByolAException.Naming(ByolAException.Escape($"{options.WeightsPath}: the stats_mean/stats_std in its metadata cannot normalise ({e.Message}); ") +
                    "give stats with {0} or {1}, or export the model again with valid stats", [nameof(EmbedderJobOptions.Stats), nameof(EmbedderJobOptions.StatsFrom)], e);
            }
            progress.Message($"normalisation stats from the model: mean,std = {stats}");
        }
        if (stats == null)
        {
            computed = true;
            var statsFiles = options.StatsFrom != null ? EmbedderInputs.Expand([options.StatsFrom], w => progress.Message("warning: " + w)) : files;
            var statsSkipped = new List<(string Path, string Reason)>();
            using (var frontEnd = OnnxEncoder.Open(options.WeightsPath, config, (0, 1), embedding.Frames, threads))
            {
                frontEnd.Load();   // a model that cannot be run fails here, not after reading every input
                stats = EmbedderJob.WithSkipHint(embedding.SkipBad, () => ComputeStats(frontEnd, statsFiles, embedding, options.StatsMaxFiles, progress, statsSkipped, ct));
            }
            progress.Message($"normalisation stats from {(options.StatsFrom ?? "the inputs")}: mean,std = {stats}");
            if (options.StatsFrom != null) skipped.AddRange(statsSkipped);
        }
        using var encoder = OnnxEncoder.Open(options.WeightsPath, config, (stats.Mean, stats.Std), embedding.Frames, threads);
        encoder.Load();   // outside the skip hint: a model ONNX Runtime cannot load is no unreadable input
        var (kept, values, rowShape) = EmbedderJob.WithSkipHint(embedding.SkipBad, () => Embed(encoder, files, embedding, progress, skipped, ct));
        if (kept.Count == 0)
            throw new ByolAException($"no embeddings: all {files.Count} input file(s) were unreadable and skipped");
        ct.ThrowIfCancellationRequested();
        long[] shape = [kept.Count, .. rowShape];
        var written = EmbedderOutput.Write(options.OutPath, kept, values, shape);
        return new EmbedderJobResult(kept.Count, shape, info.ModelKind, stats, computed, written, skipped);
    }

    internal static (List<string> Kept, float[] Values, long[] RowShape) Embed(OnnxEncoder encoder, IReadOnlyList<string> files, EmbedderOptions options,
        IProgressReporter progress, List<(string, string)> skipped, CancellationToken ct)
    {
        var config = options.Config;
        var source = new ClipSource(files, Embedder.ClipOptions(config, options.Crop, options.Seed, options.Workers, options.PrefetchBatches, options.SkipBad),
            w => progress.Message("warning: " + w));
        var kept = new List<string>();
        var parts = new List<float[]>();
        long[] rowShape = options.Frames ? [(1 + config.UnitSamples / config.HopLength) / encoder.Info.FrameStride, encoder.FeatureD] : [encoder.FeatureD];
        using (var task = progress.Start("embed", files.Count))
        {
            foreach (var batch in source.Batches(source.InOrder(options.BatchSize), 0, ct))
            {
                foreach (var (index, error) in batch.Failed) skipped.Add((files[index], error));
                if (batch.Count > 0)
                {
                    var (values, shape) = encoder.Embed(batch.Samples, batch.Count, config.UnitSamples);
                    rowShape = shape[1..];
                    parts.Add(values);
                    kept.AddRange(batch.Indices.Select(i => files[i]));
                }
                task.Advance(batch.Count + batch.Failed.Count, skipped.Count > 0 ? $"{skipped.Count} skipped" : null);
            }
        }
        ct.ThrowIfCancellationRequested();
        var all = new float[parts.Sum(p => (long)p.Length)];
        long offset = 0;
        foreach (var p in parts) { p.CopyTo(all, offset); offset += p.Length; }
        return (kept, all, rowShape);
    }

    /// <summary>SPEC §6.1 as <see cref="NormStatsCalculator"/> computes it (same sample, crop and float64 moments), front end in ONNX Runtime.</summary>
    internal static NormStats ComputeStats(OnnxEncoder encoder, IReadOnlyList<string> files, EmbedderOptions embedding, int maxFiles, IProgressReporter progress,
        ICollection<(string, string)> skipped, CancellationToken ct)
    {
        var config = embedding.Config;
        if (files.Count == 0) throw new ByolAException("no audio files to compute normalisation stats from");
        var chosen = NormStatsCalculator.Sample(files, maxFiles, embedding.Seed);
        var source = new ClipSource(chosen, Embedder.ClipOptions(config, ClipCrop.Random, embedding.Seed, Environment.ProcessorCount, 2, embedding.SkipBad),
            w => progress.Message("warning: " + w));
        double sum = 0, sumSq = 0;
        long count = 0;
        using (var task = progress.Start("norm stats", chosen.Count))
        {
            foreach (var batch in source.Batches(source.InOrder(embedding.BatchSize), 0, ct))
            {
                foreach (var (index, error) in batch.Failed) skipped.Add((chosen[index], error));
                if (batch.Count > 0)
                {
                    var (values, _) = encoder.LogMel(batch.Samples, batch.Count, config.UnitSamples);
                    foreach (var v in values) { sum += v; sumSq += (double)v * v; }
                    count += values.Length;
                }
                task.Advance(batch.Count + batch.Failed.Count);
            }
        }
        ct.ThrowIfCancellationRequested();
        if (count == 0) throw new ByolAException("no readable audio files to compute normalisation stats from");
        double mean = sum / count;
        return new NormStats(mean, Math.Sqrt(Math.Max(sumSq / count - mean * mean, 0))).Validate();
    }
}
