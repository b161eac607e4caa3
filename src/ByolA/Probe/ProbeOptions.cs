namespace ByolA.Probe;

/// <summary>
/// The linear classifier's training recipe (SPEC §6.3): Adam lr 1e-3, weight decay 1e-8, mini-batches of
/// min(200, n) shuffled each epoch, up to 200 epochs, early stopping on validation accuracy (mAP for multi-label tasks)
/// with patience 10; optionally hidden layers (an MLP probe, SPEC §9).
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

    /// <summary>Largest learning rate or weight decay: far above any that trains, far below float32's overflow.</summary>
    public const double MaxRate = 1000;

    /// <summary>
    /// Hidden layer sizes of an MLP probe (SPEC §9: each Linear → ReLU → Dropout 0.5, then the output Linear); empty for
    /// the linear probe.
    /// </summary>
    public IReadOnlyList<int> Hidden { get; init; } = [];

    /// <summary>The head's name in scores files: <c>linear</c>, or <c>mlp512</c>, <c>mlp512-256</c>, ….</summary>
    public string HeadName => ProbeHead.Name(Hidden);

    /// <summary>The widest hidden layer accepted (a bigger one is almost surely a typo, and its weights would not fit).</summary>
    public const int MaxHidden = 65536;

    /// <summary>Throws <see cref="OptionException"/> naming the first property that cannot work.</summary>
    public ProbeOptions Validate()
    {
        if (Epochs <= 0) throw OptionException.Invalid(nameof(Epochs), $"must be > 0 (got {Epochs})");
        // Adam takes its rates as float32 in libtorch: 1e308 overflowed there, after every clip was embedded.
        if (!(Lr > 0 && Lr <= MaxRate)) throw OptionException.Invalid(nameof(Lr), $"must be a number in (0, {MaxRate}] (got {Lr})");
        if (!(WeightDecay >= 0 && WeightDecay <= MaxRate)) throw OptionException.Invalid(nameof(WeightDecay), $"must be a number in [0, {MaxRate}] (got {WeightDecay})");
        if (BatchSize <= 0) throw OptionException.Invalid(nameof(BatchSize), $"must be > 0 (got {BatchSize})");
        if (Patience <= 0) throw OptionException.Invalid(nameof(Patience), $"must be > 0 (got {Patience})");
        if (Hidden.Any(h => h <= 0 || h > MaxHidden))
            throw OptionException.Invalid(nameof(Hidden), $"sizes must be whole numbers in 1..{MaxHidden} (got {string.Join(",", Hidden)})");
        if (Hidden.Count > 8) throw OptionException.Invalid(nameof(Hidden), $"has {Hidden.Count} layers; at most 8 hidden layers are supported");
        return this;
    }
}
