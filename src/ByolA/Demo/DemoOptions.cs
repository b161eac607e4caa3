using ByolA.Probe;
using ByolA.Configuration;
using TorchSharp;

namespace ByolA.Demo;

/// <summary>
/// What <see cref="DemoPipeline.Run"/> does. The defaults pretrain for a fixed number of epochs (about three minutes
/// on two idle CPU cores), so a busy machine makes the demo slower, never different, and make a labelled task where
/// that pretraining beats a random encoder by more than 5 points on seeds 42, 1 and 2 (README, demo).
/// </summary>
public sealed record DemoOptions
{
    /// <summary>Output folder: generated data, checkpoints, embeddings cache, results CSVs.</summary>
    public string OutDir { get; init; } = Path.Combine("work", "demo");

    /// <summary>Pretraining epochs over the unlabelled clips.</summary>
    public int Epochs { get; init; } = 24;

    /// <summary>
    /// Labelled training clips per sound class. Few, as when labels are scarce: what an encoder learnt without
    /// labels matters most then (with 50, pretraining's lead over a random encoder fell below 5 points on some seeds).
    /// </summary>
    public int TrainPerClass { get; init; } = 20;

    /// <summary>
    /// Validation clips per sound class (early stopping of the probe). Clips are cheap to embed, and with 20 the
    /// probe's stopping epoch, and so its score, swung by several points between runs.
    /// </summary>
    public int ValidPerClass { get; init; } = 40;

    /// <summary>Test clips per sound class (the reported accuracy): 100, so one clip is 1/600 of the score.</summary>
    public int TestPerClass { get; init; } = 100;

    /// <summary>Unlabelled clips for pretraining.</summary>
    public int UnlabelledClips { get; init; } = 640;

    /// <summary>
    /// The probe's mini-batch (<see cref="Probe.ProbeOptions.BatchSize"/>, 200 by default). With 120 training
    /// clips a batch of 200 is one optimiser step per epoch, so early stopping's patience of 10 epochs is 10 steps and
    /// runs stopped at very different points (±5 points between the runs of one encoder); 32 gives four steps an epoch
    /// and runs within about ±2.
    /// </summary>
    public int ProbeBatch { get; init; } = 32;

    /// <summary>Linear-probe runs per encoder (mean and std are reported).</summary>
    public int Repeat { get; init; } = 5;

    public int Seed { get; init; } = 42;

    /// <summary>
    /// Every labelled clip mixes its sound with one of another kind at this RMS level range, dB relative to it
    /// (<see cref="Tasks.Synthetic.SyntheticDatasetOptions.BackgroundDb"/>); null: clean labelled clips. The
    /// default, −12 to −6 dB, makes the task one that BYOL-A's mixup prepares an encoder for: on clean clips random
    /// convolutional features already reach about 90 %, and pretraining won by only 3 to 8 points.
    /// </summary>
    public (double Low, double High)? BackgroundDb { get; init; } = (-12, -6);

    /// <summary>
    /// Folder searched for an official NTT weight file (<see cref="OfficialWeightNames"/>); when one is there the
    /// table gains a row for it. Null: no such row.
    /// </summary>
    public string? PretrainedWeightsDir { get; init; } = "pretrained_weights";

    /// <summary>Official file names, in the order they are looked for (the smallest encoder first).</summary>
    public static IReadOnlyList<string> OfficialWeightNames { get; } =
    [
        "AudioNTT2020-BYOLA-64x96d512.pth", "AudioNTT2020-BYOLA-64x96d1024.pth",
        "AudioNTT2020-BYOLA-64x96d2048.pth", "AudioNTT2022-BYOLA-64x96d2048.pth",
    ];

    /// <summary>
    /// The v1 recipe scaled for a CPU demo: AudioNTT2020 with d=512 (the smallest official size), smaller
    /// projection, batch 32 (more optimiser steps per epoch); lr and everything else as configs/config.yaml.
    /// </summary>
    public ByolAConfig Config { get; init; } = ByolAConfig.V1 with { FeatureD = 512, ProjDim = 1024, ProjSize = 128, Bs = 32 };

    public torch.Device? Device { get; init; }

    /// <summary>Labelled clips per class, all splits together: 10000 (file names keep their four digits; 60000 clips, about 2 GB).</summary>
    public const int MaxClipsPerClass = 10_000;

    /// <summary>Unlabelled clips: 100000 (file names keep their five digits; about 3.2 GB).</summary>
    public const int MaxUnlabelledClips = 100_000;

    /// <summary>Probe runs per encoder.</summary>
    public const int MaxRepeat = 1000;

    /// <summary>The probe's mini-batch; more than every labelled clip is pointless.</summary>
    public const int MaxProbeBatch = 6 * MaxClipsPerClass;

    /// <summary>Throws <see cref="OptionException"/> naming the first property (or config key) that cannot work.</summary>
    public DemoOptions Validate()
    {
        if (Epochs is < 1 or > 10000) throw OptionException.Invalid(nameof(Epochs), $"must be in [1, 10000] (got {Epochs})");
        // Upper bounds first: every count sizes lists and files before the first clip is written (10⁹ clips per
        // class grew to 6 GB of job list), so a count that cannot finish is refused here with its limit.
        if (TrainPerClass > MaxClipsPerClass || ValidPerClass > MaxClipsPerClass || TestPerClass > MaxClipsPerClass
            || (long)TrainPerClass + ValidPerClass + TestPerClass > MaxClipsPerClass)
        {
            var name = TrainPerClass > MaxClipsPerClass ? nameof(TrainPerClass) : ValidPerClass > MaxClipsPerClass ? nameof(ValidPerClass)
                : TestPerClass > MaxClipsPerClass ? nameof(TestPerClass) : nameof(TrainPerClass);
            throw new OptionException($"{{0}}, {{1}} and {{2}} together must be at most {MaxClipsPerClass} clips per class (got {TrainPerClass} + {ValidPerClass} + {TestPerClass})",
                [name, .. new[] { nameof(TrainPerClass), nameof(ValidPerClass), nameof(TestPerClass) }.Where(n => n != name)]);
        }
        if (UnlabelledClips > MaxUnlabelledClips) throw OptionException.Invalid(nameof(UnlabelledClips), $"must be at most {MaxUnlabelledClips} (got {UnlabelledClips})");
        if (Repeat > MaxRepeat) throw OptionException.Invalid(nameof(Repeat), $"must be at most {MaxRepeat} (got {Repeat})");
        if (ProbeBatch > MaxProbeBatch) throw OptionException.Invalid(nameof(ProbeBatch), $"must be at most {MaxProbeBatch} (got {ProbeBatch})");
        if (TrainPerClass < 1) throw OptionException.Invalid(nameof(TrainPerClass), $"must be at least 1 clip per class (got {TrainPerClass})");
        if (ValidPerClass < 1) throw OptionException.Invalid(nameof(ValidPerClass), $"must be at least 1 clip per class (got {ValidPerClass})");
        if (TestPerClass < 1) throw OptionException.Invalid(nameof(TestPerClass), $"must be at least 1 clip per class (got {TestPerClass})");
        if (UnlabelledClips < Config.Bs) throw OptionException.Invalid(nameof(UnlabelledClips), $"must be at least one batch of {Config.Bs} clips (got {UnlabelledClips})");
        if (Repeat <= 0) throw OptionException.Invalid(nameof(Repeat), $"must be > 0 (got {Repeat})");
        if (ProbeBatch <= 0) throw OptionException.Invalid(nameof(ProbeBatch), $"must be > 0 (got {ProbeBatch})");
        if (Tasks.Synthetic.SyntheticDatasetOptions.BackgroundProblem(BackgroundDb) is { } why) throw OptionException.Invalid(nameof(BackgroundDb), why);
        Config.Validate("demo config");
        return this;
    }
}
