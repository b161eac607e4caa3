using ByolA.Data;
using ByolA.Configuration;
using ByolA.Runtime;

namespace ByolA.Embedding;

/// <summary>
/// How <see cref="Embedder"/> turns files into embeddings. <see cref="Config"/> supplies sample_rate, unit_sec and
/// the log-mel parameters.
/// </summary>
public sealed record EmbedderOptions
{
    public ByolAConfig Config { get; init; } = ByolAConfig.V1;

    /// <summary>Clips per encoder batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Centre (default) or seeded random crop of clips longer than unit_sec.</summary>
    public ClipCrop Crop { get; init; } = ClipCrop.Centre;

    /// <summary>Seed of the random crop.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Return frame-level features (N, T', d) instead of pooled embeddings (N, d).</summary>
    public bool Frames { get; init; }

    /// <summary>Skip files that cannot be read (listed in the result) instead of failing.</summary>
    public bool SkipBad { get; init; }

    /// <summary>Files decoded in parallel ahead of the encoder. Default: the processor count.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Decoded clips held ready ahead of the encoder, in batches (memory bound: Prefetch × BatchSize clips).</summary>
    public int PrefetchBatches { get; init; } = 2;

    /// <summary>CUDA only: run the encoder's convolutions and matmuls in TF32 (faster, about 1e-3 relative) instead of FP32.</summary>
    public bool Tf32 { get; init; }

    /// <summary>
    /// What the encoder computes in: FP32 (default), TF32 (CUDA) or bf16 (autocast; embeddings are still returned as
    /// FP32 but differ from FP32 ones by bfloat16 rounding). <see cref="Tf32"/> is the older spelling of TF32.
    /// </summary>
    public NumericPrecision Precision { get; init; }

    /// <summary>The precision asked for by <see cref="Precision"/> and <see cref="Tf32"/> together.</summary>
    internal NumericPrecision ResolvedPrecision => Runtime.Precision.Resolve(Precision, Tf32, nameof(Tf32), nameof(Precision));

    /// <summary>Throws <see cref="OptionException"/> naming the first property that cannot work.</summary>
    public EmbedderOptions Validate()
    {
        if (BatchSize <= 0) throw OptionException.Invalid(nameof(BatchSize), $"must be positive (got {BatchSize})");
        _ = ResolvedPrecision;
        ResourceLimits.RequireThreads(nameof(Workers), Workers);
        if (PrefetchBatches <= 0) throw OptionException.Invalid(nameof(PrefetchBatches), $"must be positive (got {PrefetchBatches})");
        if (Config.UnitSamples <= 0) throw OptionException.Invalid("unit_sec", $"gives no samples at {Config.SampleRate} Hz (got {Config.UnitSec})");
        // The decoder holds PrefetchBatches batches ahead of the one being embedded, each one float array.
        ResourceLimits.RequireClipBatch(nameof(BatchSize), BatchSize, Config.UnitSamples, PrefetchBatches + 1);
        ResourceLimits.RequireEncoderBatch(nameof(BatchSize), BatchSize, Config.UnitSamples, Config.HopLength, Config.NMels);
        return this;
    }
}
