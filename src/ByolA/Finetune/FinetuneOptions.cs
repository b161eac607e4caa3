using ByolA.Configuration;
using ByolA.Probe;
using TorchSharp;

namespace ByolA.Finetune;

/// <summary>
/// What <see cref="Finetuning.Run"/> fine-tunes and how (SPEC §10). The task, weights, unit, repeat, seed, config,
/// device, work and results folders and the saved classifier are <see cref="Task"/>'s, read as evaluate reads them;
/// the rest is the recipe. Call <see cref="Validate"/> first.
/// </summary>
public sealed record FinetuneOptions
{
    /// <summary>The task and everything evaluate shares (its <see cref="EvaluateOptions.Probe"/> is not used).</summary>
    public required EvaluateOptions Task { get; init; }

    public int Epochs { get; init; } = 200;
    public int BatchSize { get; init; } = 256;
    public double Lr { get; init; } = 0.001;

    /// <summary>The encoder's learning rate; null: <see cref="Lr"/>.</summary>
    public double? LrEncoder { get; init; }

    public FinetuneOptimizer Optimizer { get; init; } = FinetuneOptimizer.Sgd;
    public int WarmupEpochs { get; init; } = 5;

    /// <summary>Head hidden layer sizes (SPEC §9's MLP); empty for a linear head.</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [];

    /// <summary>Train the head only (the encoder, BatchNorm statistics included, stays as loaded).</summary>
    public bool FreezeEncoder { get; init; }

    /// <summary>Mixup's α; 0 = off.</summary>
    public double MixupAlpha { get; init; } = 0.5;

    /// <summary>SpecAugment's largest frequency mask (bins) and time mask (frames); 0 = off.</summary>
    public int FreqMask { get; init; } = 30;
    public int TimeMask { get; init; } = 100;

    /// <summary>RandomResizeCrop with the fine-tuning scales.</summary>
    public bool RandomCrop { get; init; } = true;

    /// <summary>Folder of the end-of-epoch checkpoints (<c>run{r}.pth</c>); null: WORK/finetune/TASK.</summary>
    public string? CheckpointDir { get; init; }

    /// <summary>Continue each run from its checkpoint (written with the same options), instead of starting over.</summary>
    public bool Resume { get; init; }

    /// <summary>The checkpoint folder used.</summary>
    public string ResolvedCheckpointDir => CheckpointDir ?? Path.Combine(Task.WorkRoot, "finetune", Task.TaskName);

    /// <summary>The head's name in scores files: <c>linear</c>, <c>mlp512</c>, ….</summary>
    public string HeadName => ProbeHead.Name(Hidden);

    /// <summary>Throws <see cref="OptionException"/> naming the first property that cannot work, then the task's checks.</summary>
    public FinetuneOptions Validate()
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
        new ProbeOptions { Hidden = Hidden }.Validate();
        Task.Validate();
        return this;
    }

    /// <summary>What a checkpoint must have been written with for a resume to continue it, in words.</summary>
    internal string Fingerprint(int run, int clips, string weightsSha) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"task {Task.TaskName}, {clips} clips, unit {Task.ResolvedUnitSec} s, weights {weightsSha[..12]}, seed {Task.Seed + run}, epochs {Epochs}, batch {BatchSize}, " +
        $"lr {Lr}, lr_encoder {LrEncoder?.ToString() ?? "-"}, {Optimizer}, warm-up {WarmupEpochs}, head {HeadName}, frozen {FreezeEncoder}, " +
        $"mixup {MixupAlpha}, masks {FreqMask}/{TimeMask}, crop {RandomCrop}");

    internal FinetuneRecipe Recipe => new()
    {
        Epochs = Epochs, BatchSize = BatchSize, Lr = Lr, LrEncoder = LrEncoder, Optimizer = Optimizer, WarmupEpochs = WarmupEpochs,
        Hidden = Hidden, FreezeEncoder = FreezeEncoder, MixupAlpha = MixupAlpha, FreqMask = FreqMask, TimeMask = TimeMask, RandomCrop = RandomCrop,
    };
}
