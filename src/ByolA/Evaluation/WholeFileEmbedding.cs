using ByolA.Audio;
using ByolA.Data;
using ByolA.Models;
using ByolA.Progress;
using static TorchSharp.torch;

namespace ByolA.Evaluation;

/// <summary>
/// The embed modes that take files as they are (<see cref="EmbedMode.Whole"/>, <see cref="EmbedMode.Timestamps"/>):
/// each file is decoded whole and embedded by a <see cref="FrameEmbedder"/> in bounded-memory chunks; timestamped
/// rows stream into the archive as they are computed.
/// </summary>
internal static class WholeFileEmbedding
{
    public sealed record Outcome(int Files, long[] Shape, IReadOnlyList<string> Written);

    public static Outcome Run(IReadOnlyList<string> files, IAudioEncoder encoder, NormStats stats, EmbedderJobOptions options,
        Device device, IProgressReporter progress, List<(string Path, string Reason)> skipped, CancellationToken ct)
    {
        var config = options.Embedding.Config;
        using var frames = new FrameEmbedder(encoder, stats, config, device);
        bool timestamps = options.Mode == EmbedMode.Timestamps;
        bool npz = Path.GetExtension(options.OutPath).Equals(".npz", StringComparison.OrdinalIgnoreCase);
        int? hopSamples = options.HopMs is { } ms ? (int)Math.Round(ms * config.SampleRate / 1000.0) : null;
        using var writer = npz ? new EmbeddingArchiveWriter(options.OutPath, timestamps) : null;
        var rows = new List<Tensor>();
        var kept = new List<string>();
        try
        {
            using var task = progress.Start("embed", files.Count);
            foreach (var file in files)
            {
                ct.ThrowIfCancellationRequested();
                var samples = Read(file, config.SampleRate, options.Embedding.SkipBad, skipped, progress);
                if (samples == null)
                {
                    task.Advance(1, $"{skipped.Count} skipped");
                    continue;
                }
                if (frames.IsPadded(samples.Length) && hopSamples == null)
                    progress.Message($"note: {file}: {Ms(samples.Length, config.SampleRate)} is shorter than the encoder's minimum {Ms(frames.MinSamples, config.SampleRate)}; zero-padded at the end");
                if (!timestamps)
                {
                    var whole = frames.Whole(samples);
                    if (writer != null) { writer.Add(file, whole); whole.Dispose(); }
                    else rows.Add(whole);
                }
                else if (hopSamples is { } hop)
                {
                    var (windows, times) = frames.Windows(samples, hop, options.Embedding.BatchSize);
                    using (windows) writer!.Add(file, windows, times);
                }
                else
                {
                    long first = 0;
                    foreach (var chunk in frames.FrameChunks(samples))
                    {
                        using (chunk)
                        {
                            long t = chunk.shape[0];
                            writer!.AddRows(chunk, Enumerable.Range(0, (int)t).Select(j => frames.FrameCentreMs(first + j)).ToArray());
                            first += t;
                        }
                    }
                    writer!.EndFile(file);
                }
                kept.Add(file);
                task.Advance(1, skipped.Count > 0 ? $"{skipped.Count} skipped" : null);
            }
            if (kept.Count == 0 && files.Count > 0)
                throw new ByolAException($"no embeddings: all {files.Count} input file(s) were unreadable and skipped");
            ct.ThrowIfCancellationRequested();
            if (writer != null)
            {
                writer.Complete([frames.FeatureD], options.Shard);
                return new Outcome(kept.Count, [writer.Rows, frames.FeatureD], [options.OutPath]);
            }
            using var all = stack(rows);
            return new Outcome(kept.Count, all.shape, EmbedderOutput.Write(options.OutPath, kept, all));
        }
        finally
        {
            foreach (var r in rows) r.Dispose();
        }
    }

    /// <summary>Per-file clip embeddings (N, d) or (N, T', d) as an .npz archive (with the shard mark of a part).</summary>
    public static IReadOnlyList<string> WriteArchive(string path, IReadOnlyList<string> files, Tensor embeddings, EmbeddingShard? shard)
    {
        using var writer = new EmbeddingArchiveWriter(path, timestamps: false);
        for (int i = 0; i < files.Count; i++)
        {
            using var item = embeddings[i];
            writer.Add(files[i], item);
        }
        writer.Complete(embeddings.shape[1..], shard);
        return [path];
    }

    /// <summary>The file's samples, or null when it cannot be read and <paramref name="skipBad"/> (then it is listed).</summary>
    static float[]? Read(string file, int sampleRate, bool skipBad, List<(string Path, string Reason)> skipped, IProgressReporter progress)
    {
        string reason;
        try { return AudioLoader.LoadMono(file, sampleRate, w => progress.Message("warning: " + w), AudioConversion.ToMono); }
        catch (ByolAException e) { reason = e.Message; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { reason = IoErrors.Failure(file, "read", e).Message; }
        if (!skipBad) throw new ByolAException(reason);
        skipped.Add((file, reason));
        return null;
    }

    static string Ms(long samples, int rate) => $"{1000.0 * samples / rate:0.#} ms";
}
