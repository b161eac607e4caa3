using ByolA.Audio;
using ByolA.Data;
using ByolA.Embedding.Formats;
using ByolA.Embedding;
using ByolA.Progress;

namespace ByolA.Embedding;

/// <summary>
/// The whole <c>byola embed</c> run, whatever runs the model (<see cref="EmbeddingEngine"/>): open the engine, get
/// normalisation stats (given, from a folder, the model's own, or from the inputs), embed every input file, write
/// .npy + file list, .csv or .npz.
/// </summary>
public static class EmbedderJob
{
    public static EmbedderJobResult Run(EmbedderJobOptions options, IProgressReporter progress, CancellationToken ct)
    {
        options.Validate();
        var embedding = options.Embedding;
        EmbedderOutput.CheckWritable(options.OutPath);
        var allFiles = EmbedderInputs.Expand(options.Inputs, w => progress.Message("warning: " + w));
        // Clips are encoded in batches, so shards take whole batches; whole files and timestamps encode file by file.
        var files = options.Shard?.Select(allFiles, options.Mode == EmbedMode.Clip ? embedding.BatchSize : 1) ?? allFiles;
        if (options.Shard != null) progress.Message($"shard {options.Shard}: {files.Count} of {allFiles.Count} file(s)");
        using var engine = EmbeddingEngine.Open(options.WeightsPath, new EngineOptions
        {
            Config = embedding.Config, Layered = options.Layered, Precision = embedding.ResolvedPrecision, Device = options.Device, Threads = options.Threads,
        });
        foreach (var w in engine.Warnings) progress.Message("warning: " + w);

        var skipped = new List<(string Path, string Reason)>();
        var stats = options.Stats;
        bool computed = false;
        if (stats == null && options.StatsFrom == null && engine.OwnStats is { } own)
        {
            // Held to the rule given stats follow: a std of 0 or a NaN in a hand-edited or foreign file embedded to all-NaN.
            try { stats = own.Validate(); }
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
            // From all inputs, not the shard's: every shard then normalises as the unsharded run does.
            var statsFiles = options.StatsFrom != null ? EmbedderInputs.Expand([options.StatsFrom], w => progress.Message("warning: " + w)) : allFiles;
            var statsSkipped = new List<(string Path, string Reason)>();
            using var moments = engine.NewLogMelMoments();
            stats = WithSkipHint(embedding.SkipBad, () => NormStatsCalculator.Compute(statsFiles, moments, embedding.Config, options.StatsMaxFiles,
                embedding.Seed, embedding.BatchSize, embedding.SkipBad, progress, statsSkipped, ct));
            progress.Message($"normalisation stats from {(options.StatsFrom ?? "the inputs")}: mean,std = {stats}");
            // Files of the inputs that failed here fail (and are listed) again below; list only the others.
            if (options.StatsFrom != null) skipped.AddRange(statsSkipped);
        }

        // Each part records what made its run, so parts of different runs are never merged.
        if (options.Shard != null) options = options with { Shard = options.Shard with { Run = EmbeddingRun.Describe(options, stats, allFiles) } };
        if (options.Mode != EmbedMode.Clip)
        {
            var whole = WithSkipHint(embedding.SkipBad, () => WholeFileEmbedding.Run(files, engine, stats, options, progress, skipped, ct));
            return new EmbedderJobResult(whole.Files, whole.Shape, engine.Architecture, stats, computed, whole.Written, skipped);
        }
        using var embedder = new Embedder(engine, stats, embedding);
        using var result = WithSkipHint(embedding.SkipBad, () => embedder.EmbedFiles(files, progress, ct));
        skipped.AddRange(result.Skipped);
        if (result.Files.Count == 0 && files.Count > 0)
            throw new ByolAException($"no embeddings: all {files.Count} input file(s) were unreadable and skipped");
        ct.ThrowIfCancellationRequested();
        var written = EmbeddingFormats.Require(options.OutPath, nameof(options.OutPath)).Write(options.OutPath, result.Files, result.Values, result.Shape, options.Shard);
        return new EmbedderJobResult(result.Files.Count, result.Shape, engine.Architecture, stats, computed, written, skipped);
    }

    /// <summary>Read errors end with how to get past them (<see cref="EmbedderOptions.SkipBad"/>), unless skipping is already on.</summary>
    internal static T WithSkipHint<T>(bool skipping, Func<T> run)
    {
        try { return run(); }
        catch (ByolAException e) when (!skipping)
        {
            throw ByolAException.Naming(e.Template + " (skip unreadable files with {" + e.Options.Count + "})",
                [.. e.Options, nameof(EmbedderOptions.SkipBad)], e);
        }
    }
}
