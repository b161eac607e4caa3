using ByolA.Audio;
using ByolA.Data;
using ByolA.Embedding.Formats;
namespace ByolA.Embedding;

/// <summary>
/// Everything <c>byola embed</c> asks for: weights, inputs (files or folders), output path (.npy, .csv or .npz), where
/// the normalisation stats come from (given, computed from <see cref="StatsFrom"/>, else from the inputs), whether to
/// use the layered AudioNTT2020X features, and the <see cref="EmbedderOptions"/>.
/// </summary>
public sealed record EmbedderJobOptions
{
    public required string WeightsPath { get; init; }
    public required IReadOnlyList<string> Inputs { get; init; }
    public string OutPath { get; init; } = "embeddings.npy";
    public NormStats? Stats { get; init; }
    public string? StatsFrom { get; init; }
    public bool Layered { get; init; }
    public int StatsMaxFiles { get; init; } = NormStatsCalculator.DefaultMaxFiles;
    public EmbedderOptions Embedding { get; init; } = new();

    /// <summary>Where the encoder runs (default: the CPU). An .onnx model runs on the CPU and refuses an explicit CUDA device.</summary>
    public Runtime.DeviceSpec Device { get; init; } = Runtime.DeviceSpec.Cpu;

    /// <summary>The runtime's intra-op threads (libtorch or ONNX Runtime; null: all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>Clips fitted to unit_sec (default), whole files, or timestamped frames (see <see cref="EmbedMode"/>).</summary>
    public EmbedMode Mode { get; init; } = EmbedMode.Clip;

    /// <summary>With <see cref="EmbedMode.Timestamps"/>: unit_sec windows every this many ms (≥ 10) instead of the encoder's frames.</summary>
    public double? HopMs { get; init; }

    /// <summary>Embed only this shard of the inputs and mark the .npz part with it (stats still come from all inputs).</summary>
    public EmbeddingShard? Shard { get; init; }

    /// <summary>The smallest window hop, 10 ms (one log-mel hop at 16 kHz).</summary>
    public const double MinHopMs = 10;

    /// <summary>Throws <see cref="OptionException"/> naming the first property (and the ones it clashes with) that cannot work.</summary>
    public EmbedderJobOptions Validate()
    {
        if (Inputs.Count == 0) throw OptionException.Invalid(nameof(Inputs), "names no files or folders");
        if (Stats != null && StatsFrom != null) throw new OptionException("give either {0} or {1}, not both", nameof(Stats), nameof(StatsFrom));
        Stats?.Validate();
        var format = EmbeddingFormats.Require(OutPath, nameof(OutPath));
        var outPath = OptionException.Escape(OutPath);
        var timestamped = EmbeddingFormats.All.Where(f => f.Timestamps).ToList();
        var sharded = EmbeddingFormats.All.Where(f => f.Shards).ToList();
        if (Mode == EmbedMode.Timestamps && !format.Timestamps)
            throw new OptionException($"{{0}} writes a {EmbeddingFormats.Names(timestamped)} file (embeddings, timestamps, offsets, files): give {{1}} FILE{timestamped[0].Extension} (got {outPath})", nameof(Mode), nameof(OutPath));
        if (Shard != null && !format.Shards)
            throw new OptionException($"{{0}} writes a {EmbeddingFormats.Names(sharded)} part (it records which shard it is): give {{1}} PART{sharded[0].Extension} (got {outPath}); merging the parts gives {EmbeddingFormats.Names(EmbeddingFormats.All)}", nameof(Shard), nameof(OutPath));
        Shard?.Validate();
        if (HopMs != null && Mode != EmbedMode.Timestamps) throw new OptionException("{0} applies to timestamped embeddings only: it needs {1}", nameof(HopMs), nameof(EmbedMode.Timestamps));
        if (HopMs is { } hop && !(hop >= MinHopMs)) throw OptionException.Invalid(nameof(HopMs), $"must be at least {MinHopMs} ms (got {hop})");
        if (Mode != EmbedMode.Clip && (Layered || Embedding.Frames))
            throw new OptionException("{0} uses the encoder's own frames and cannot be combined with {1}", nameof(Mode), Layered ? nameof(Layered) : nameof(EmbedderOptions.Frames));
        if (Shard != null && Embedding.Crop == ClipCrop.Random)
            throw new OptionException("{0} cannot be combined with {1}: random crops are seeded by each file's position in the whole run, which a shard does not see",
                nameof(EmbedderOptions.Crop), nameof(Shard));
        Runtime.ResourceLimits.RequireThreads(nameof(Threads), Threads);
        if (StatsMaxFiles <= 0) throw OptionException.Invalid(nameof(StatsMaxFiles), $"must be positive (got {StatsMaxFiles})");
        Embedding.Validate();
        return this;
    }
}
