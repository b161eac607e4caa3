using ByolA.Audio;
using ByolA.Configuration;
using ByolA.Data;
using ByolA.Embedding;
using ByolA.Models;
using ByolA.Progress;
using static TorchSharp.torch;

namespace ByolA.Embedding;

/// <summary>
/// Files → embeddings with a frozen encoder (SPEC §6.2), over any <see cref="IEmbeddingEngine"/>: each file is decoded,
/// fitted to unit_sec, turned into a log-mel spectrogram, normalised with <see cref="NormStats"/> and encoded.
/// Decoding runs in parallel ahead of the engine, which takes one batch at a time and returns only embeddings.
/// </summary>
internal sealed class Embedder : IDisposable
{
    readonly IEmbeddingEngine engine;
    readonly bool ownsEngine;

    /// <summary>Embeds with <paramref name="engine"/>, which the caller keeps and disposes.</summary>
    public Embedder(IEmbeddingEngine engine, NormStats stats, EmbedderOptions options) : this(engine, false, stats, options) { }

    /// <summary>Embeds with a TorchSharp encoder module on <paramref name="device"/> (the caller keeps the module).</summary>
    public Embedder(IAudioEncoder encoder, NormStats stats, EmbedderOptions options, Device? device = null)
        : this(TorchSharpEngine.ForEncoder(encoder, options.Config, device, options.ResolvedPrecision), true, stats, options) { }

    Embedder(IEmbeddingEngine engine, bool ownsEngine, NormStats stats, EmbedderOptions options)
    {
        this.engine = engine;
        this.ownsEngine = ownsEngine;
        try
        {
            Options = options.Validate();
            Stats = stats.Validate();
            long frames = 1 + options.Config.UnitSamples / options.Config.HopLength;   // centred STFT frames
            if (frames < engine.FrameStride)
                throw new ByolAException($"unit_sec {options.Config.UnitSec} gives {frames} log-mel frames; the encoder needs at least {engine.FrameStride}");
            FramesPerClip = (int)(frames / engine.FrameStride);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public EmbedderOptions Options { get; }
    public NormStats Stats { get; }

    /// <summary>Width of one embedding (or of one frame with <see cref="EmbedderOptions.Frames"/>).</summary>
    public int FeatureD => engine.FeatureD;

    /// <summary>T': frames per clip in frame-level output.</summary>
    public int FramesPerClip { get; }

    /// <summary>
    /// Embeds <paramref name="files"/> (mono WAV at the config's sample rate) in order. An unreadable file is a
    /// <see cref="ByolAException"/> unless <see cref="EmbedderOptions.SkipBad"/>, which leaves it out and lists it.
    /// </summary>
    public EmbedderResult EmbedFiles(IReadOnlyList<string> files, IProgressReporter? progress = null, CancellationToken ct = default)
    {
        progress ??= NullProgressReporter.Instance;
        var source = new ClipSource(files, ClipOptions(Options.Config, Options.Crop, Options.Seed, Options.Workers, Options.PrefetchBatches, Options.SkipBad),
            w => progress.Message("warning: " + w));
        var parts = new List<float[]>();
        var kept = new List<string>();
        var skipped = new List<(string, string)>();
        long[] rowShape = Options.Frames ? [FramesPerClip, FeatureD] : [FeatureD];
        using (var task = progress.Start("embed", files.Count))
        {
            foreach (var batch in source.Batches(source.InOrder(Options.BatchSize), 0, ct))
            {
                foreach (var (index, error) in batch.Failed) skipped.Add((files[index], error));
                if (batch.Count > 0)
                {
                    var rows = engine.EmbedClips(batch.Samples, batch.Count, batch.UnitSamples, Stats, Options.Frames);
                    rowShape = rows.Shape[1..];
                    parts.Add(rows.Values);
                    kept.AddRange(batch.Indices.Select(i => files[i]));
                }
                task.Advance(batch.Count + batch.Failed.Count, skipped.Count > 0 ? $"{skipped.Count} skipped" : null);
            }
        }
        ct.ThrowIfCancellationRequested();
        var values = new float[parts.Sum(p => (long)p.Length)];
        long offset = 0;
        foreach (var p in parts) { p.CopyTo(values, offset); offset += p.Length; }
        var result = new EmbedderResult(kept, values, [kept.Count, .. rowShape], skipped);
        if (result.FirstNonFiniteRow() is { } bad)
            throw new ByolAException($"{kept[bad]}: its embedding holds NaN or infinite values (normalisation stats {Stats}); " +
                                     "the weights or the stats are broken — check them before using any output");
        return result;
    }

    /// <summary>The index of the first row (dimension 0) of <paramref name="embeddings"/> holding a NaN or infinity; null when all are finite.</summary>
    public static int? FirstNonFiniteRow(Tensor embeddings)
    {
        if (embeddings.numel() == 0) return null;
        using var scope = NewDisposeScope();
        var bad = embeddings.isfinite().logical_not().reshape(embeddings.shape[0], -1).any(1);
        if (!bad.any().item<bool>()) return null;
        return (int)bad.nonzero()[0, 0].item<long>();
    }

    /// <summary>The clip source settings of an embedding or statistics pass over files at the config's rate and unit length.</summary>
    static ClipSourceOptions ClipOptions(ByolAConfig config, ClipCrop crop, long seed, int workers, int prefetch, bool skipBad) => new()
    {
        SampleRate = config.SampleRate, UnitSamples = config.UnitSamples, Crop = crop, Seed = seed,
        Workers = workers, PrefetchBatches = prefetch, SkipUnreadable = skipBad, Convert = AudioConversion.ToMono,
    };

    public void Dispose()
    {
        if (ownsEngine) engine.Dispose();
    }
}
