using System.Globalization;
using ByolA.Probe;

namespace ByolA.Finetune;

/// <summary>
/// How a fine-tuning run trains (SPEC §10; the defaults are its): epochs, batch, optimiser, rates and schedule, the
/// head's sizes, the augmentations (each off at 0 / false) and whether the encoder is frozen. The options of
/// <see cref="Finetuning.Run"/> (<see cref="FinetuneOptions.Recipe"/>) and what the trainer reads. Call
/// <see cref="Validate"/> first.
/// </summary>
public sealed record FinetuneRecipe
{
    public int Epochs { get; init; } = 200;
    public int BatchSize { get; init; } = 256;

    /// <summary>Peak learning rate of the head (and of the encoder without <see cref="LrEncoder"/>).</summary>
    public double Lr { get; init; } = 0.001;

    /// <summary>The encoder's peak learning rate; null: <see cref="Lr"/>.</summary>
    public double? LrEncoder { get; init; }

    public FinetuneOptimizer Optimizer { get; init; } = FinetuneOptimizer.Sgd;

    /// <summary>Epochs of linear warm-up from 0 before the cosine decay to <see cref="MinLr"/>.</summary>
    public int WarmupEpochs { get; init; } = 5;

    /// <summary>Head hidden layer sizes (SPEC §9's MLP); empty for a linear head.</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [];

    /// <summary>Train the head only (the encoder, BatchNorm statistics included, stays as loaded).</summary>
    public bool FreezeEncoder { get; init; }

    /// <summary>Mixup's Beta(α, α); 0 = off.</summary>
    public double MixupAlpha { get; init; } = 0.5;

    /// <summary>SpecAugment's largest frequency mask (bins) and time mask (frames); 0 = off.</summary>
    public int FreqMask { get; init; } = 30;
    public int TimeMask { get; init; } = 100;

    /// <summary>RandomResizeCrop with virtual crop scale (1.0, 1.5), frequency and time scales (0.6, 1.5).</summary>
    public bool RandomCrop { get; init; } = true;

    /// <summary>
    /// Early stopping: stop after this many epochs without a better validation score (the best epoch's weights are
    /// kept either way); null trains every epoch (SPEC §10's default). Needs validation clips to act.
    /// </summary>
    public int? Patience { get; init; }

    /// <summary>Where the cosine decay ends.</summary>
    public const double MinLr = 1e-7;

    /// <summary>Cosine decay after the warm-up; false keeps the rate constant after it (for checking against the probe).</summary>
    internal bool Cosine { get; init; } = true;

    /// <summary>
    /// Train the head as the linear probe does (SPEC §6.3): its Adam with <see cref="ProbeWeightDecay"/> and its
    /// cross-entropy on class indices, instead of SPEC §10's optimiser and its loss over N·C elements (a factor C
    /// apart). For checking that a frozen, unaugmented fine-tuning trains exactly what the probe trains; single-label,
    /// no mixup.
    /// </summary>
    internal bool AsProbe { get; init; }
    internal double ProbeWeightDecay { get; init; }

    /// <summary>The head's name in scores files: <c>linear</c>, <c>mlp512</c>, ….</summary>
    public string HeadName => ProbeHead.Name(Hidden);

    /// <summary>Throws <see cref="OptionException"/> naming the first property that cannot work.</summary>
    public FinetuneRecipe Validate()
    {
        if (Epochs <= 0) throw OptionException.Invalid(nameof(Epochs), $"must be > 0 (got {Epochs})");
        if (BatchSize <= 0) throw OptionException.Invalid(nameof(BatchSize), $"must be > 0 (got {BatchSize})");
        if (!(Lr > 0 && Lr <= ProbeOptions.MaxRate)) throw OptionException.Invalid(nameof(Lr), $"must be a number in (0, {ProbeOptions.MaxRate}] (got {Lr})");
        if (LrEncoder is { } le && !(le >= 0 && le <= ProbeOptions.MaxRate))
            throw OptionException.Invalid(nameof(LrEncoder), $"must be a number in [0, {ProbeOptions.MaxRate}] (got {le})");
        if (LrEncoder != null && FreezeEncoder)
            throw new OptionException("{0} has no effect with {1} (the encoder does not train); give one of them", nameof(LrEncoder), nameof(FreezeEncoder));
        if (WarmupEpochs < 0) throw OptionException.Invalid(nameof(WarmupEpochs), $"must be ≥ 0 (got {WarmupEpochs})");
        if (!(MixupAlpha >= 0 && MixupAlpha <= 100)) throw OptionException.Invalid(nameof(MixupAlpha), $"must be in [0, 100], 0 = off (got {MixupAlpha})");
        if (FreqMask < 0) throw OptionException.Invalid(nameof(FreqMask), $"must be ≥ 0 bins, 0 = off (got {FreqMask})");
        if (TimeMask < 0) throw OptionException.Invalid(nameof(TimeMask), $"must be ≥ 0 frames, 0 = off (got {TimeMask})");
        if (Patience is { } patience && patience <= 0) throw OptionException.Invalid(nameof(Patience), $"must be > 0 epochs (got {patience})");
        new ProbeOptions { Hidden = Hidden }.Validate();
        return this;
    }

    /// <summary>The schedule's learning rate for 0-based <paramref name="epoch"/> as a factor of the base rate.</summary>
    internal double LrFactor(int epoch)
    {
        if (epoch < WarmupEpochs) return (double)epoch / WarmupEpochs;
        if (!Cosine || Epochs <= WarmupEpochs) return 1;
        double progress = (double)(epoch - WarmupEpochs) / (Epochs - WarmupEpochs);
        double lr = MinLr + (Lr - MinLr) * 0.5 * (1 + Math.Cos(Math.PI * progress));
        return lr / Lr;
    }

    /// <summary>Everything that shapes the training, in words (a checkpoint's fingerprint holds it).</summary>
    internal string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"epochs {Epochs}, batch {BatchSize}, lr {Lr}, lr_encoder {LrEncoder?.ToString(CultureInfo.InvariantCulture) ?? "-"}, {Optimizer}, " +
        $"warm-up {WarmupEpochs}, head {HeadName}, frozen {FreezeEncoder}, mixup {MixupAlpha}, masks {FreqMask}/{TimeMask}, crop {RandomCrop}, " +
        $"patience {Patience?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
}
