using ByolA.Audio;
using ByolA.Embedding.Formats;
using ByolA.Configuration;
using ByolA.Embedding;
using ByolA.Data;
using ByolA.Progress;

namespace ByolA.Embedding;

/// <summary>
/// The embed modes that take files as they are (<see cref="EmbedMode.Whole"/>, <see cref="EmbedMode.Timestamps"/>):
/// each file is decoded whole and embedded by the engine (in bounded-memory chunks where the engine can); timestamped
/// rows stream into the archive as they are computed.
/// </summary>
internal static class WholeFileEmbedding
{
    public sealed record Outcome(int Files, long[] Shape, IReadOnlyList<string> Written);

    public static Outcome Run(IReadOnlyList<string> files, IEmbeddingEngine engine, NormStats stats, EmbedderJobOptions options,
        IProgressReporter progress, List<(string Path, string Reason)> skipped, CancellationToken ct)
    {
        var config = options.Embedding.Config;
        int minSamples = FrameEmbedder.MinSamplesFor(config, engine.FrameStride);
        bool timestamps = options.Mode == EmbedMode.Timestamps;
        // A format that holds timestamped rows takes every file's rows as they are computed; the others take all at the end.
        var format = EmbeddingFormats.Require(options.OutPath, nameof(options.OutPath));
        int? hopSamples = options.HopMs is { } ms ? (int)Math.Round(ms * config.SampleRate / 1000.0) : null;
        using var writer = format.Timestamps ? new EmbeddingArchiveWriter(options.OutPath, timestamps) : null;
        var rows = new List<float[]>();
        var kept = new List<string>();
        using (var task = progress.Start("embed", files.Count))
        {
            foreach (var file in files)
            {
                ct.ThrowIfCancellationRequested();
                var samples = Read(file, config.SampleRate, options.Embedding.SkipBad, skipped, progress);
                if (samples == null)
                {
                    task.Advance(1, $"{skipped.Count} skipped");
                    continue;
                }
                if (samples.Length < minSamples && hopSamples == null)
                    progress.Message($"note: {file}: {Ms(samples.Length, config.SampleRate)} is shorter than the encoder's minimum {Ms(minSamples, config.SampleRate)}; zero-padded at the end");
                if (!timestamps)
                {
                    var whole = engine.Whole(samples, stats);
                    if (writer != null) writer.Add(file, whole, [whole.Length]);
                    else rows.Add(whole);
                }
                else if (hopSamples is { } hop)
                {
                    var (windows, times) = Windows(engine, stats, config, samples, hop, options.Embedding.BatchSize);
                    writer!.Add(file, windows.Values, windows.Shape, times);
                }
                else
                {
                    long first = 0;
                    foreach (var chunk in engine.FrameChunks(samples, stats))
                    {
                        var times = new float[chunk.Rows];
                        for (int j = 0; j < times.Length; j++) times[j] = FrameEmbedder.FrameCentreMs(first + j, engine.FrameStride, config);
                        writer!.AddRows(chunk.Values, chunk.Shape, times);
                        first += chunk.Rows;
                    }
                    writer!.EndFile(file);
                }
                kept.Add(file);
                task.Advance(1, skipped.Count > 0 ? $"{skipped.Count} skipped" : null);
            }
        }
        if (kept.Count == 0 && files.Count > 0)
            throw new ByolAException($"no embeddings: all {files.Count} input file(s) were unreadable and skipped");
        ct.ThrowIfCancellationRequested();
        if (writer != null)
        {
            writer.Complete([engine.FeatureD], options.Shard);
            return new Outcome(kept.Count, [writer.Rows, engine.FeatureD], [options.OutPath]);
        }
        long[] shape = [kept.Count, engine.FeatureD];
        return new Outcome(kept.Count, shape, format.Write(options.OutPath, kept, rows.SelectMany(r => r).ToArray(), shape));
    }

    /// <summary>
    /// unit_sec windows of <paramref name="samples"/> starting every <paramref name="hopSamples"/> samples, each
    /// embedded as a clip is (its own log-mel, then max + mean over its frames): (W, d) with the windows' centre times
    /// in ms. Windows run while they fit in the audio; audio shorter than unit_sec gives one window, zero-padded on both
    /// ends like a clip, timed at the audio's centre.
    /// </summary>
    public static (EmbeddingRows Embeddings, float[] TimesMs) Windows(IEmbeddingEngine engine, NormStats stats, ByolAConfig config,
        float[] samples, int hopSamples, int batchSize = 64)
    {
        if (hopSamples <= 0) throw new ByolAException($"the window hop must be positive (got {hopSamples} samples)");
        int unit = config.UnitSamples;
        long logMelFrames = 1 + unit / config.HopLength;
        if (logMelFrames < engine.FrameStride)
            throw new ByolAException($"unit_sec {config.UnitSec} gives {logMelFrames} log-mel frames; the encoder needs at least {engine.FrameStride}");
        double msPerSample = 1000.0 / config.SampleRate;
        if (samples.Length <= unit)
            return (engine.EmbedClips(UnitClip.Fit(samples, unit, null), 1, unit, stats, frames: false), [(float)(samples.Length / 2.0 * msPerSample)]);
        int count = 1 + (samples.Length - unit) / hopSamples;
        var times = new float[count];
        for (int w = 0; w < count; w++) times[w] = (float)(((long)w * hopSamples + unit / 2.0) * msPerSample);
        var values = new float[(long)count * engine.FeatureD];
        var batch = new float[(long)Math.Min(batchSize, count) * unit];
        for (int w0 = 0; w0 < count; w0 += batchSize)
        {
            int n = Math.Min(batchSize, count - w0);
            for (int i = 0; i < n; i++) Array.Copy(samples, (long)(w0 + i) * hopSamples, batch, (long)i * unit, unit);
            engine.EmbedClips(batch, n, unit, stats, frames: false).Values.CopyTo(values, (long)w0 * engine.FeatureD);
        }
        return (new EmbeddingRows(values, [count, engine.FeatureD]), times);
    }

    /// <summary>The file's samples, or null when it cannot be read and <paramref name="skipBad"/> (then it is listed).</summary>
    static float[]? Read(string file, int sampleRate, bool skipBad, List<(string Path, string Reason)> skipped, IProgressReporter progress)
    {
        string reason;
        try { return AudioLoader.LoadMono(file, sampleRate, AudioConversion.ToMono, w => progress.Message("warning: " + w)); }
        catch (ByolAException e) { reason = e.Message; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { reason = IoErrors.Failure(file, "read", e).Message; }
        if (!skipBad) throw new ByolAException(reason);
        skipped.Add((file, reason));
        return null;
    }

    static string Ms(long samples, int rate) => $"{1000.0 * samples / rate:0.#} ms";
}
