namespace ByolA.Evaluation;

/// <summary>
/// The linear classifier's training recipe (SPEC §6.3): Adam lr 1e-3, weight decay 1e-8, mini-batches of
/// min(200, n) shuffled each epoch, up to 200 epochs, early stopping on validation accuracy with patience 10.
/// </summary>
public sealed record ProbeOptions
{
    public int Epochs { get; init; } = 200;
    public double Lr { get; init; } = 0.001;
    public double WeightDecay { get; init; } = 1e-8;
    public int BatchSize { get; init; } = 200;
    public int Patience { get; init; } = 10;

    /// <summary>When false, train all epochs and keep the last weights (validation is not used).</summary>
    public bool EarlyStopping { get; init; } = true;

    public ProbeOptions Validate()
    {
        if (Epochs <= 0) throw new ByolAException($"--epochs must be > 0 (got {Epochs})");
        if (!(Lr > 0)) throw new ByolAException($"--lr must be > 0 (got {Lr})");
        if (WeightDecay < 0) throw new ByolAException($"weight decay must be >= 0 (got {WeightDecay})");
        if (BatchSize <= 0) throw new ByolAException($"--batch must be > 0 (got {BatchSize})");
        if (Patience <= 0) throw new ByolAException($"patience must be > 0 (got {Patience})");
        return this;
    }
}
