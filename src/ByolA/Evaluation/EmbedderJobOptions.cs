using ByolA.Data;
namespace ByolA.Evaluation;

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

    /// <summary>Clips fitted to unit_sec (default), whole files, or timestamped frames (see <see cref="EmbedMode"/>).</summary>
    public EmbedMode Mode { get; init; } = EmbedMode.Clip;

    /// <summary>With <see cref="EmbedMode.Timestamps"/>: unit_sec windows every this many ms (≥ 10) instead of the encoder's frames.</summary>
    public double? HopMs { get; init; }

    /// <summary>Embed only this shard of the inputs and mark the .npz part with it (stats still come from all inputs).</summary>
    public EmbeddingShard? Shard { get; init; }

    /// <summary>The smallest window hop, 10 ms (one log-mel hop at 16 kHz).</summary>
    public const double MinHopMs = 10;

    /// <summary>Throws <see cref="ByolAException"/> naming the first option that cannot work.</summary>
    public EmbedderJobOptions Validate()
    {
        if (Stats != null && StatsFrom != null) throw new ByolAException("give normalisation stats either as values or as a folder to compute them from, not both");
        Stats?.Validate();
        var ext = Path.GetExtension(OutPath).ToLowerInvariant();
        if (ext is not (".npy" or ".csv" or ".npz")) throw new ByolAException($"{OutPath}: output must be a .npy, .csv or .npz file");
        if (Mode == EmbedMode.Timestamps && ext != ".npz")
            throw new ByolAException($"{OutPath}: timestamped embeddings are written to an .npz file (embeddings, timestamps, offsets, files)");
        if (Shard != null && ext != ".npz")
            throw new ByolAException($"{OutPath}: a shard writes an .npz part (it records which shard it is); merge the parts into .npy, .csv or .npz");
        Shard?.Validate();
        if (HopMs != null && Mode != EmbedMode.Timestamps) throw new ByolAException("a window hop applies to timestamped embeddings only");
        if (HopMs is { } hop && !(hop >= MinHopMs)) throw new ByolAException($"the window hop must be at least {MinHopMs} ms (got {hop})");
        if (Mode != EmbedMode.Clip && (Layered || Embedding.Frames))
            throw new ByolAException($"{(Mode == EmbedMode.Whole ? "whole-file" : "timestamped")} embeddings use the encoder's own frames; layered and per-clip frame features apply to clips only");
        if (Shard != null && Embedding.Crop == ClipCrop.Random)
            throw new ByolAException("random crops are seeded by each file's position in the whole run, which a shard does not see; use centre crops with shards");
        if (Inputs.Count == 0) throw new ByolAException("no inputs given");
        if (StatsMaxFiles <= 0) throw new ByolAException($"the stats sample size must be positive (got {StatsMaxFiles})");
        Embedding.Validate();
        return this;
    }
}
