using ByolA.Weights;
using ByolA.Models;
using ByolA.Progress;
using static TorchSharp.torch;

namespace ByolA.Evaluation;

/// <summary>
/// The whole <c>byola embed</c> run: load the encoder, get normalisation stats (given, from a folder, or from the
/// inputs), embed every input file, write .npy + file list or .csv.
/// </summary>
public static class EmbedderJob
{
    public static EmbedderJobResult Run(EmbedderJobOptions options, IProgressReporter progress, CancellationToken ct)
    {
        var device = options.Device ?? CPU;
        options.Validate();
        var embedding = options.Embedding;
        EmbedderOutput.CheckWritable(options.OutPath);
        var allFiles = EmbedderInputs.Expand(options.Inputs, w => progress.Message("warning: " + w));
        // Clips are encoded in batches, so shards take whole batches; whole files and timestamps encode file by file.
        var files = options.Shard?.Select(allFiles, options.Mode == EmbedMode.Clip ? embedding.BatchSize : 1) ?? allFiles;
        if (options.Shard != null) progress.Message($"shard {options.Shard}: {files.Count} of {allFiles.Count} file(s)");
        EncoderWeights.RequireSampleRate(options.WeightsPath, embedding.Config.SampleRate);
        using var loaded = EncoderLoader.Load(options.WeightsPath, device, options.Layered);
        foreach (var w in loaded.Warnings) progress.Message("warning: " + w);
        if (loaded.NMels != embedding.Config.NMels)
            throw new ByolAException($"{options.WeightsPath}: the encoder expects {loaded.NMels} mel bins but the config has n_mels {embedding.Config.NMels}; set n_mels={loaded.NMels}");

        var skipped = new List<(string Path, string Reason)>();
        var stats = options.Stats;
        bool computed = stats == null;
        if (stats == null)
        {
            // From all inputs, not the shard's: every shard then normalises as the unsharded run does.
            var statsFiles = options.StatsFrom != null ? EmbedderInputs.Expand([options.StatsFrom], w => progress.Message("warning: " + w)) : allFiles;
            var statsSkipped = new List<(string Path, string Reason)>();
            stats = WithSkipHint(embedding.SkipBad, () => NormStatsCalculator.Compute(statsFiles, embedding.Config, device, options.StatsMaxFiles,
                embedding.Seed, embedding.BatchSize, embedding.SkipBad, progress, statsSkipped, ct));
            progress.Message($"normalisation stats from {(options.StatsFrom ?? "the inputs")}: mean,std = {stats}");
            // Files of the inputs that failed here fail (and are listed) again below; list only the others.
            if (options.StatsFrom != null) skipped.AddRange(statsSkipped);
        }

        if (options.Mode != EmbedMode.Clip)
        {
            var whole = WithSkipHint(embedding.SkipBad, () => WholeFileEmbedding.Run(files, loaded.Encoder, stats, options, device, progress, skipped, ct));
            return new EmbedderJobResult(whole.Files, whole.Shape, loaded.Architecture, stats, computed, whole.Written, skipped);
        }
        using var embedder = new Embedder(loaded.Encoder, stats, embedding, device);
        using var result = WithSkipHint(embedding.SkipBad, () => embedder.EmbedFiles(files, progress, ct));
        skipped.AddRange(result.Skipped);
        if (result.Files.Count == 0 && files.Count > 0)
            throw new ByolAException($"no embeddings: all {files.Count} input file(s) were unreadable and skipped");
        ct.ThrowIfCancellationRequested();
        var written = Path.GetExtension(options.OutPath).Equals(".npz", StringComparison.OrdinalIgnoreCase)
            ? WholeFileEmbedding.WriteArchive(options.OutPath, result.Files, result.Embeddings, options.Shard)
            : EmbedderOutput.Write(options.OutPath, result.Files, result.Embeddings);
        return new EmbedderJobResult(result.Files.Count, result.Embeddings.shape, loaded.Architecture, stats, computed, written, skipped);
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
