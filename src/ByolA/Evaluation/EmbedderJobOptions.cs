namespace ByolA.Evaluation;

/// <summary>
/// Everything <c>byola embed</c> asks for: weights, inputs (files or folders), output path (.npy or .csv), where
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

    /// <summary>Throws <see cref="ByolAException"/> naming the first option that cannot work.</summary>
    public EmbedderJobOptions Validate()
    {
        if (Stats != null && StatsFrom != null) throw new ByolAException("give normalisation stats either as values or as a folder to compute them from, not both");
        Stats?.Validate();
        var ext = Path.GetExtension(OutPath).ToLowerInvariant();
        if (ext is not (".npy" or ".csv")) throw new ByolAException($"{OutPath}: output must be a .npy or .csv file");
        if (Inputs.Count == 0) throw new ByolAException("no inputs given");
        if (StatsMaxFiles <= 0) throw new ByolAException($"the stats sample size must be positive (got {StatsMaxFiles})");
        Embedding.Validate();
        return this;
    }
}
