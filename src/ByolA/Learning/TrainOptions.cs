using ByolA.Configuration;
using ByolA.Runtime;
using static TorchSharp.torch;

namespace ByolA.Learning;

/// <summary>
/// What <see cref="Trainer.Run"/> trains on and where it writes. Hyper-parameters (model, feature_d, epochs, bs,
/// lr, seed, proj sizes, shape, unit_sec, …) come from <see cref="Config"/>; the recipe (v1 or v2) from its
/// <c>model</c> key.
/// </summary>
public sealed record TrainOptions
{
    /// <summary>The configuration (already validated, e.g. by <see cref="ConfigSource.Resolve"/>).</summary>
    public required ByolAConfig Config { get; init; }

    /// <summary>Folder searched recursively for <c>.wav</c> files. Ignored when <see cref="Files"/> is set.</summary>
    public string? AudioDir { get; init; }

    /// <summary>Explicit training files (16 kHz mono WAV); takes precedence over <see cref="AudioDir"/>.</summary>
    public IReadOnlyList<string>? Files { get; init; }

    /// <summary>Where checkpoint, CSV log and final weights go. Default: the config's checkpoint_folder.</summary>
    public string? OutputDir { get; init; }

    /// <summary>Compute device. Default: CPU.</summary>
    public Device? Device { get; init; }

    /// <summary>A checkpoint written by an earlier run to continue from (same config and data).</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>
    /// Replace the checkpoint and log of another run found in the output folder. Without it a fresh run (or a resume
    /// from a checkpoint elsewhere) into a folder holding a checkpoint is refused with <see cref="ExistingRunException"/>.
    /// </summary>
    public bool Overwrite { get; init; }

    /// <summary>Threads decoding and cropping audio. Default: the config's num_workers, at most the core count (0 means 1).</summary>
    public int? DecodeThreads { get; init; }

    /// <summary>
    /// Where the training log-mel is computed: on the training device from (pinned) waveform batches, or on the loader
    /// threads. Default (null): on the device with CUDA, on the loader threads on the CPU. Both give the same values.
    /// </summary>
    public bool? LogMelOnDevice { get; init; }

    /// <summary>Batches prepared ahead of the model (bounded prefetch).</summary>
    public int PrefetchBatches { get; init; } = 3;

    /// <summary>v2 only: clips used to compute the normalisation statistics before training.</summary>
    public int NormStatsClips { get; init; } = 10000;

    /// <summary>Training stops when more than this fraction of the files cannot be read.</summary>
    public double MaxUnreadableFraction { get; init; } = 0.01;

    /// <summary>
    /// CUDA only: run matmuls and convolutions in TF32 (faster, about 1e-3 relative) instead of full FP32. Recorded
    /// in the training log's precision column.
    /// </summary>
    public bool Tf32 { get; init; }

    /// <summary>
    /// CUDA only: let cuDNN time its convolution algorithms on the first batches and keep the fastest (libtorch's
    /// <c>cudnn.benchmark</c>). Faster steps; the algorithm chosen can differ between runs, so CUDA runs are not
    /// bit-for-bit repeatable with it on. Default on; the CPU has nothing to tune.
    /// </summary>
    public bool CudnnBenchmark { get; init; } = true;

    /// <summary>
    /// CUDA only: run the encoder's convolutions channels-last (NHWC) instead of NCHW (<see cref="Runtime.ConvLayout"/>).
    /// Default off until a GPU measurement shows it faster; the CPU always runs NHWC.
    /// </summary>
    public bool CudaChannelsLast { get; init; }

    /// <summary>
    /// The precision training runs in: the config's <c>precision</c> key, or TF32 when <see cref="Tf32"/> is set (its
    /// older spelling; with bf16 it is refused by <see cref="Validate"/>). Recorded in train_log.csv and the checkpoint.
    /// </summary>
    public NumericPrecision Precision => Runtime.Precision.Resolve(Config.Precision, Tf32, nameof(Tf32), "precision");

    /// <summary>
    /// How often the progress bar shows the running loss. Each show reads one value back from the device (a sync), so
    /// the rest of the time the steps queue work without waiting for it. <see cref="TimeSpan.MaxValue"/>: never.
    /// </summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Folder for a TensorBoard event file of the run (<see cref="TensorBoardLog"/>); null: none.</summary>
    public string? TensorBoardDir { get; init; }

    /// <summary>
    /// With <see cref="TensorBoardDir"/>: a picture of a batch's two augmented views on the first epoch and every this
    /// many epochs after it (0: no pictures).
    /// </summary>
    public int TensorBoardImageEvery { get; init; } = 10;

    /// <summary>
    /// Several processes (started by mpirun, srun or a torchrun-style launcher): how long a rank waits for the others
    /// at one exchange (a step's gradients, the epoch's checks) before it stops with a line naming the wait — a rank
    /// that died or hangs then stops the run in bounded time. Default 300 s; it must cover a checkpoint write, which
    /// the other ranks wait for.
    /// </summary>
    public TimeSpan DistTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// Several GPU processes started without MPI (RANK and WORLD_SIZE set, as torchrun or a plain srun does): a file
    /// on storage every rank sees, fresh for each run, through which rank 0 hands NCCL's id to the others (removed once
    /// they joined). Not needed under MPI, and refused nowhere else.
    /// </summary>
    public string? DistStore { get; init; }

    /// <summary>The folder actually used for outputs.</summary>
    public string ResolvedOutputDir => OutputDir is { Length: > 0 } o ? o : Config.CheckpointFolder;

    /// <summary>
    /// Throws <see cref="OptionException"/> naming the first property (or config key) whose value cannot work, including
    /// requests larger than this machine (<see cref="ResourceLimits"/>), before any file is looked at; then
    /// <see cref="ByolAException"/> for a missing audio folder or checkpoint.
    /// </summary>
    public TrainOptions Validate()
    {
        if (Files is null && string.IsNullOrWhiteSpace(AudioDir))
            throw new OptionException("training needs {0} or {1}", nameof(AudioDir), nameof(Files));
        ResourceLimits.RequireThreads(nameof(DecodeThreads), DecodeThreads);
        if (PrefetchBatches < 1) throw OptionException.Invalid(nameof(PrefetchBatches), $"must be at least 1 batch (got {PrefetchBatches})");
        if (NormStatsClips < 1) throw OptionException.Invalid(nameof(NormStatsClips), $"must be positive (got {NormStatsClips})");
        if (ProgressInterval < TimeSpan.Zero) throw OptionException.Invalid(nameof(ProgressInterval), "cannot be negative");
        if (TensorBoardImageEvery < 0) throw OptionException.Invalid(nameof(TensorBoardImageEvery), $"must be 0 (no pictures) or a number of epochs (got {TensorBoardImageEvery})");
        if (TensorBoardDir is { } tb && string.IsNullOrWhiteSpace(tb)) throw OptionException.Invalid(nameof(TensorBoardDir), "must name a folder");
        _ = Precision;
        if (DistTimeout <= TimeSpan.Zero || DistTimeout > TimeSpan.FromDays(1))
            throw OptionException.Invalid(nameof(DistTimeout), $"must be a positive number of seconds up to a day (got {DistTimeout.TotalSeconds})");
        if (DistStore is { } store && string.IsNullOrWhiteSpace(store)) throw OptionException.Invalid(nameof(DistStore), "must name a file");
        if (MaxUnreadableFraction is < 0 or > 1) throw OptionException.Invalid(nameof(MaxUnreadableFraction), "must be a fraction in [0, 1]");
        if (string.IsNullOrWhiteSpace(ResolvedOutputDir)) throw new OptionException("no output folder: set {0} or {1}", "checkpoint_folder", nameof(OutputDir));
        if (Config.Encoder.FeatureDProblem(Config.NMels, Config.FeatureD) is { } problem) throw OptionException.Invalid("feature_d", problem);
        // The original's Lightning trainer took a GPU count; here one process trains on the one device it is given, and
        // several GPUs are several processes started by a launcher (mpirun, srun, torchrun-style).
        if (Config.Gpus > 1)
            throw new OptionException($"{{0}} {Config.Gpus}: training runs on one device per process; set gpus: 1 and choose the device with {{1}} " +
                                      $"(for {Config.Gpus} GPUs start {Config.Gpus} processes with mpirun or srun, one GPU each)", "gpus", nameof(Device));
        RequireMemory(Config, PrefetchBatches);
        if (Files is null && !Directory.Exists(AudioDir))
            throw new ByolAException(File.Exists(AudioDir) ? $"{AudioDir}: is a file; give the folder that holds the training audio" : $"{AudioDir}: audio folder not found");
        if (ResumeFrom is { Length: > 0 } && Directory.Exists(ResumeFrom))
            throw new ByolAException($"{ResumeFrom}: is a folder; resume from the checkpoint file in it ({Path.Combine(ResumeFrom, TrainingCheckpoint.FileName)})");
        if (ResumeFrom is { Length: > 0 } && !File.Exists(ResumeFrom))
            throw new ByolAException($"{ResumeFrom}: checkpoint to resume from not found");
        return this;
    }

    /// <summary>
    /// Refuses a feature_d or bs whose training could never fit this machine's memory, by lower bounds: the online and
    /// target networks' largest weight matrices, and the batches held at once — the loader's clips and the first
    /// convolution's output for both views.
    /// </summary>
    static void RequireMemory(ByolAConfig c, int prefetch)
    {
        // The encoder's largest matrices and the projector's Linear(d → proj_dim).
        double weights = c.Encoder.LargestWeights(c.NMels, c.FeatureD) + (double)c.FeatureD * c.ProjDim;
        ResourceLimits.RequireMemory("feature_d", 2 * 4 * weights, $"the online and target networks' weights at feature_d {c.FeatureD}");
        ResourceLimits.RequireClipBatch("bs", c.Bs, c.UnitSamples, prefetch + 1);
        double firstConv = 2.0 * c.Bs * 64 * c.Shape[0] * c.Shape[1] * 4;
        ResourceLimits.RequireMemory("bs", firstConv, $"the first convolution's output for two views of {c.Bs} clips");
    }
}
