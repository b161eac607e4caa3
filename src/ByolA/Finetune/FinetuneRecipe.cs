namespace ByolA.Finetune;

/// <summary>
/// How <see cref="FinetuneTrainer"/> trains (SPEC §10), in tensor terms: epochs, batch, optimiser, rates, schedule,
/// head sizes, the augmentations (each off at 0 / false) and whether the encoder is frozen.
/// </summary>
internal sealed record FinetuneRecipe
{
    public int Epochs { get; init; } = 200;
    public int BatchSize { get; init; } = 256;
    public double Lr { get; init; } = 0.001;

    /// <summary>The encoder's learning rate; null: <see cref="Lr"/>.</summary>
    public double? LrEncoder { get; init; }

    public FinetuneOptimizer Optimizer { get; init; } = FinetuneOptimizer.Sgd;

    /// <summary>Epochs of linear warm-up from 0 before the cosine decay.</summary>
    public int WarmupEpochs { get; init; } = 5;

    /// <summary>Cosine decay to <see cref="MinLr"/> after the warm-up; false keeps the rate constant after it.</summary>
    public bool Cosine { get; init; } = true;

    public const double MinLr = 1e-7;

    public IReadOnlyList<int> Hidden { get; init; } = [];
    public bool FreezeEncoder { get; init; }

    /// <summary>Mixup's Beta(α, α); 0 = off.</summary>
    public double MixupAlpha { get; init; } = 0.5;

    /// <summary>SpecAugment's mask width limits in bins and frames; 0 = off.</summary>
    public int FreqMask { get; init; } = 30;
    public int TimeMask { get; init; } = 100;

    /// <summary>RandomResizeCrop with virtual crop scale (1.0, 1.5), frequency and time scales (0.6, 1.5).</summary>
    public bool RandomCrop { get; init; } = true;

    /// <summary>Step the head with the linear probe's Adam (SPEC §6.3) and this weight decay; for checking against the probe.</summary>
    public bool ProbeAdam { get; init; }
    public double ProbeWeightDecay { get; init; }

    /// <summary>The schedule's learning rate for 0-based <paramref name="epoch"/> as a factor of the base rate.</summary>
    public double LrFactor(int epoch)
    {
        if (epoch < WarmupEpochs) return (double)epoch / WarmupEpochs;
        if (!Cosine || Epochs <= WarmupEpochs) return 1;
        double progress = (double)(epoch - WarmupEpochs) / (Epochs - WarmupEpochs);
        double lr = MinLr + (Lr - MinLr) * 0.5 * (1 + Math.Cos(Math.PI * progress));
        return lr / Lr;
    }
}
