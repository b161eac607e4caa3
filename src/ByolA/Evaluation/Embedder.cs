using ByolA.Audio;
using ByolA.Configuration;
using ByolA.Data;
using ByolA.Models;
using ByolA.Progress;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Evaluation;

/// <summary>
/// Files → embeddings with a frozen encoder (SPEC §6.2): each file is decoded, fitted to unit_sec, turned into a
/// log-mel spectrogram, normalised with <see cref="NormStats"/> and encoded. Decoding runs in parallel ahead of the
/// encoder; log-mel, normalisation and the encoder run batched on the device, and only results move to the CPU.
/// </summary>
public sealed class Embedder : IDisposable
{
    readonly IAudioEncoder encoder;
    readonly LogMelSpectrogram logMel;
    readonly Device device;

    public Embedder(IAudioEncoder encoder, NormStats stats, EmbedderOptions options, Device? device = null)
    {
        Options = options.Validate();
        Stats = stats.Validate();
        if (encoder.NMels != options.Config.NMels)
            throw new ByolAException($"the encoder expects {encoder.NMels} mel bins but the config has n_mels {options.Config.NMels}; set n_mels={encoder.NMels}");
        this.encoder = encoder;
        this.device = device ?? CPU;
        Runtime.Precision.Apply(this.device, options.Tf32);
        logMel = new LogMelSpectrogram(options.Config.FrontEnd);
        logMel.to(this.device);
        long frames = logMel.FramesFor(options.Config.UnitSamples);
        if (frames < encoder.FrameStride)
            throw new ByolAException($"unit_sec {options.Config.UnitSec} gives {frames} log-mel frames; the encoder needs at least {encoder.FrameStride}");
        FramesPerClip = (int)(frames / encoder.FrameStride);
    }

    public EmbedderOptions Options { get; }
    public NormStats Stats { get; }

    /// <summary>Width of one embedding (or of one frame with <see cref="EmbedderOptions.Frames"/>).</summary>
    public int FeatureD => encoder.FeatureD;

    /// <summary>T': frames per clip in frame-level output.</summary>
    public int FramesPerClip { get; }

    /// <summary>
    /// Unit-length waveforms (B, unit_samples), any device → embeddings on the CPU: (B, d), or (B, T', d) with
    /// <see cref="EmbedderOptions.Frames"/>. The encoder is switched to eval mode.
    /// </summary>
    public Tensor EmbedClips(Tensor clips)
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        encoder.Module.eval();
        var lms = Stats.Normalise(logMel.forward(clips.to(device))).unsqueeze(1); // (B, 1, F, T)
        var result = Options.Frames ? encoder.Frames(lms) : encoder.Pooled(lms);
        return result.cpu().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Embeds <paramref name="files"/> (mono WAV at the config's sample rate) in order. An unreadable file is a
    /// <see cref="ByolAException"/> unless <see cref="EmbedderOptions.SkipBad"/>, which leaves it out and lists it.
    /// </summary>
    public EmbedderResult EmbedFiles(IReadOnlyList<string> files, IProgressReporter? progress = null, CancellationToken ct = default)
    {
        progress ??= NullProgressReporter.Instance;
        var source = new ClipSource(files, ClipOptions(Options.Config, Options.Crop, Options.Seed, Options.Workers, Options.PrefetchBatches, Options.SkipBad),
            w => progress.Message("warning: " + w));
        var parts = new List<Tensor>();
        var kept = new List<string>();
        var skipped = new List<(string, string)>();
        try
        {
            using var task = progress.Start("embed", files.Count);
            foreach (var batch in source.Batches(source.InOrder(Options.BatchSize), 0, ct))
            {
                foreach (var (index, error) in batch.Failed) skipped.Add((files[index], error));
                if (batch.Count > 0)
                {
                    using var clips = batch.ToTensor();
                    parts.Add(EmbedClips(clips));
                    kept.AddRange(batch.Indices.Select(i => files[i]));
                }
                task.Advance(batch.Count + batch.Failed.Count, skipped.Count > 0 ? $"{skipped.Count} skipped" : null);
            }
            ct.ThrowIfCancellationRequested();
            var embeddings = parts.Count > 0
                ? cat(parts, 0)
                : Options.Frames ? zeros(0, FramesPerClip, FeatureD) : zeros(0, FeatureD);
            if (FirstNonFiniteRow(embeddings) is { } bad)
            {
                embeddings.Dispose();
                throw new ByolAException($"{kept[bad]}: its embedding holds NaN or infinite values (normalisation stats {Stats}); " +
                                         "the weights or the stats are broken — check them before using any output");
            }
            return new EmbedderResult(kept, embeddings, skipped);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
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
    internal static ClipSourceOptions ClipOptions(ByolAConfig config, ClipCrop crop, long seed, int workers, int prefetch, bool skipBad) => new()
    {
        SampleRate = config.SampleRate, UnitSamples = config.UnitSamples, Crop = crop, Seed = seed,
        Workers = workers, PrefetchBatches = prefetch, SkipUnreadable = skipBad, Convert = AudioConversion.ToMono,
    };

    public void Dispose() => logMel.Dispose();
}
