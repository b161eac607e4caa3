using System.Globalization;
using ByolA.Audio;
using ByolA.Augmentations;
using ByolA.Configuration;
using ByolA.Data;
using ByolA.Progress;
using ByolA.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Learning;

/// <summary>
/// The state of one <see cref="Trainer.Run"/>, built up by its named steps in order: <see cref="Open"/>,
/// <see cref="PrepareData"/>, <see cref="PrepareModel"/>, <see cref="Restore"/>, then <see cref="TrainEpoch"/> and
/// <see cref="WriteEpochOutputs"/> for every epoch, then <see cref="Finish"/>. Disposing releases the output
/// folder's lock and every native object of the run.
/// </summary>
internal sealed class TrainingRun : IDisposable
{
    readonly TrainOptions options;
    readonly ByolAConfig config;
    readonly IProgressReporter progress;
    readonly CancellationToken ct;
    readonly string outDir, checkpointPath, logPath;
    readonly FileLock folderLock;
    readonly TrainingCheckpoint? checkpoint;
    readonly Device device;
    readonly string precision;
    readonly DateTime startedAt = DateTime.UtcNow;
    readonly int threads;

    // PrepareData
    List<string> candidates = [];
    IReadOnlyList<string> files = [];
    IReadOnlyList<string> unreadableAtStart = [];
    int bs;
    Dictionary<string, long>? meta;
    ClipSource? source;
    LogMelSpectrogram? mel, deviceMel;
    Func<ClipBatch, Tensor>? prepare;

    // PrepareModel
    readonly SeededRandom augmentRng;
    ByolLearner? learner;
    TorchSharp.Modules.Adam? optimizer;
    RunningNorm? runningNorm;
    PrecomputedNorm? precomputed;
    TwoViewAugmentation? augment;

    // Restore and the epochs
    int startEpoch;
    readonly List<string> logRows = [];
    readonly List<EpochMetrics> epochs = [];
    bool curvesFailed;
    TensorBoardLog? tensorBoard;

    TrainingRun(TrainOptions options, IProgressReporter progress, CancellationToken ct)
    {
        this.options = options;
        config = options.Config;
        this.progress = progress;
        this.ct = ct;
        outDir = Path.GetFullPath(options.ResolvedOutputDir);
        folderLock = Trainer.LockOutputFolder(outDir);
        try
        {
            checkpointPath = Path.Combine(outDir, TrainingCheckpoint.FileName);
            logPath = Path.Combine(outDir, Trainer.LogFileName);
            checkpoint = options.ResumeFrom is { Length: > 0 } r ? TrainingCheckpoint.Load(r) : null;
            Trainer.RefuseToReplaceAnotherRun(options, checkpointPath);
            device = options.Device ?? CPU;
            precision = Precision.Apply(device, options.Tf32);
            // Loader threads only decode and crop (and, on the CPU, make the log-mel): all cores by default.
            threads = options.DecodeThreads ?? Math.Clamp(Environment.ProcessorCount, 1, 64);
            augmentRng = new SeededRandom(config.Seed);
        }
        catch
        {
            folderLock.Dispose();
            throw;
        }
    }

    /// <summary>Locks the output folder, reads the checkpoint to resume from, and refuses to replace another run.</summary>
    public static TrainingRun Open(TrainOptions options, IProgressReporter progress, CancellationToken ct) => new(options, progress, ct);

    /// <summary>The first epoch still to train (1 for a fresh run).</summary>
    public int FirstEpoch => startEpoch + 1;

    /// <summary>The last epoch to train.</summary>
    public int LastEpoch => config.Epochs;

    /// <summary>
    /// Finds and checks the audio files, sizes the batch, and builds the clip source and the log-mel front end (on the
    /// loader's threads for the CPU, on the device for CUDA).
    /// </summary>
    public void PrepareData()
    {
        candidates = options.Files?.ToList() ?? TrainingFiles.Find(options.AudioDir!, w => progress.Message("warning: " + w));
        string where = options.Files != null ? "training file list" : options.AudioDir!;
        (files, unreadableAtStart) = TrainingFiles.Check(candidates, config.SampleRate, where, options.MaxUnreadableFraction, progress, threads, ct);
        if (files.Count < 2) throw new ByolAException($"{where}: training needs at least 2 readable clips (found {files.Count})");
        foreach (var line in unreadableAtStart.Take(10)) progress.Message($"skipped unreadable file {line}");
        if (unreadableAtStart.Count > 10) progress.Message($"... and {unreadableAtStart.Count - 10} more unreadable files skipped");

        bs = Math.Min(config.Bs, files.Count);
        if (bs < config.Bs) progress.Message($"only {files.Count} clips: batch size {config.Bs} reduced to {bs}");
        meta = TrainingCheckpoint.MetaFor(config, files.Count);
        checkpoint?.RequireCompatible(meta, options.ResumeFrom!);

        source = new ClipSource(files, new ClipSourceOptions
        {
            SampleRate = config.SampleRate, UnitSamples = config.UnitSamples, Crop = ClipCrop.Random, Seed = config.Seed,
            Workers = threads, PrefetchBatches = options.PrefetchBatches, SkipUnreadable = true,
            // Compressed files are decoded once and kept (up to a quarter of the memory available, at most 2 GiB).
            Convert = AudioConversion.ToMono, DecodedCacheBytes = Math.Min(2L << 30, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4),
        }, w => progress.Message("warning: " + w));
        mel = new LogMelSpectrogram(config.FrontEnd);
        long frames = mel.FramesFor(config.UnitSamples);
        if (frames != config.Shape[1])
            throw new ByolAException($"config: unit_sec {config.UnitSec} gives {frames} frames but shape says {config.Shape[1]}; make them agree (e.g. unit_sec 0.95 ↔ shape [64, 96])");
        bool pin = device.type == DeviceType.CUDA;
        // On CUDA the loader only decodes and crops: pinned waveform batches go up and the log-mel is made on the device
        // (one loader thread cannot keep a GPU fed). On the CPU it stays on the loader thread, ahead of the model.
        bool melOnDevice = options.LogMelOnDevice ?? pin;
        if (melOnDevice)
        {
            deviceMel = new LogMelSpectrogram(config.FrontEnd);
            deviceMel.to(device);
            prepare = batch => batch.Count == 0 ? zeros(0, config.UnitSamples) : batch.ToTensor(pin);
        }
        else prepare = ToLogMel;
    }

    /// <summary>Log-mel on the loader's thread, ahead of the model: (B', unit) → (B', 1, F, T) on the CPU, pinned for CUDA.</summary>
    Tensor ToLogMel(ClipBatch batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (batch.Count == 0) return zeros(0, 1, config.NMels, config.Shape[1]).MoveToOuterDisposeScope();
        var lms = mel!.forward(batch.ToTensor()).unsqueeze(1);
        return (device.type == DeviceType.CUDA ? lms.pin_memory() : lms).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Seeds the CPU generator, builds the learner and its optimizer, and the normalisation: a running one (v1), the
    /// checkpoint's (v2 resume) or statistics over training clips (v2); then the two-view augmentation.
    /// </summary>
    public void PrepareModel()
    {
        manual_seed(config.Seed);
        learner = new ByolLearner(() => Trainer.CreateEncoder(config), config.FeatureD, config.ProjDim, config.ProjSize,
            (config.NMels, config.Shape[1]), config.EmaDecay, device);
        optimizer = learner.CreateOptimizer(config.Lr);
        if (!config.IsV2)
            runningNorm = new RunningNorm(epochSamples: 2L * files.Count, maxUpdateEpochs: 10);
        else if (checkpoint != null)
            precomputed = new PrecomputedNorm((float)checkpoint.NormMean, (float)Math.Sqrt(checkpoint.NormVar));
        else
            precomputed = Trainer.ComputeNormStats(source!, ToLogMel, config, Math.Min(options.NormStatsClips, files.Count), progress, ct);
        augment = config.IsV2 ? TwoViewAugmentation.V2(augmentRng, precomputed!) : TwoViewAugmentation.V1(augmentRng, runningNorm!);
    }

    /// <summary>
    /// Restores the learner, optimizer, random streams and normalisation from the checkpoint, with the log rows that
    /// belong to it; on a fresh run says what is about to be trained.
    /// </summary>
    public void Restore()
    {
        if (checkpoint == null)
        {
            progress.Message($"training {(config.IsV2 ? "v2 (AudioNTT2022)" : "v1 (AudioNTT2020)")} d={config.FeatureD} on {files.Count} clips, " +
                             $"{config.Epochs} epochs, batch {bs}, lr {config.Lr.ToString(CultureInfo.InvariantCulture)}, device {device} ({precision})");
            return;
        }
        learner!.load_state_dict(checkpoint.Learner, strict: true);
        using (var reader = new BinaryReader(new MemoryStream(checkpoint.Optimizer)))
            optimizer!.load_state_dict(reader);
        augmentRng.State = checkpoint.AugmentRng;
        random.set_rng_state(checkpoint.TorchRng);
        runningNorm?.Restore(checkpoint.NormMean, checkpoint.NormVar, checkpoint.NormUpdates);
        startEpoch = checkpoint.Epoch;
        // The log that belongs to the checkpoint sits next to it, which need not be the output folder.
        var earlierLog = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.ResumeFrom!))!, Trainer.LogFileName);
        if (File.Exists(earlierLog))
            logRows.AddRange(File.ReadAllLines(earlierLog).Skip(1).Where(l => int.TryParse(l.Split(',')[0], out var e) && e <= startEpoch));
        progress.Message($"resumed from {options.ResumeFrom} after epoch {startEpoch}");
    }

    /// <summary>One epoch of BYOL steps; the unreadable-file limit is checked after it.</summary>
    public EpochMetrics TrainEpoch(int epoch)
    {
        if (options.TensorBoardDir is { } tb) tensorBoard ??= new TensorBoardLog(tb, w => progress.Message("warning: " + w));
        bool picture = tensorBoard != null && options.TensorBoardImageEvery > 0 && (epoch - 1) % options.TensorBoardImageEvery == 0;
        var metrics = Trainer.RunEpoch(epoch, config, bs, files, source!, prepare!, deviceMel, augment!, learner!, optimizer!, augmentRng,
            options, progress, ct, picture ? (v1, v2) => tensorBoard!.WriteViews(epoch, v1, v2) : null);
        epochs.Add(metrics);
        TrainingFiles.EnforceLimit(AllUnreadable(), candidates.Count, options.MaxUnreadableFraction);
        progress.Message(string.Format(CultureInfo.InvariantCulture,
            "epoch {0}/{1}: loss {2:F4}  mb {3:F3} sb {4:F3} ma {5:F3} sa {6:F3}  ({7:F1} samples/s)",
            epoch, config.Epochs, metrics.Loss, metrics.Mb, metrics.Sb, metrics.Ma, metrics.Sa, metrics.SamplesPerSecond));
        return metrics;
    }

    /// <summary>The epoch's checkpoint (durable), its row of train_log.csv and the redrawn curves.</summary>
    public void WriteEpochOutputs(EpochMetrics metrics)
    {
        var (normMean, normVar, normUpdates) = runningNorm != null
            ? (runningNorm.Statistics.Mean, runningNorm.Statistics.Var, runningNorm.Updates)
            : ((double)precomputed!.Mean, (double)precomputed.Std * precomputed.Std, 0L);
        using var optimizerBytes = new MemoryStream();
        using (var writer = new BinaryWriter(optimizerBytes, System.Text.Encoding.UTF8, leaveOpen: true))
            optimizer!.save_state_dict(writer);
        using var torchRng = random.get_rng_state();
        new TrainingCheckpoint
        {
            Epoch = metrics.Epoch,
            Learner = learner!.state_dict(),
            Optimizer = optimizerBytes.ToArray(),
            AugmentRng = augmentRng.State,
            TorchRng = torchRng,
            NormMean = normMean,
            NormVar = normVar,
            NormUpdates = normUpdates,
            Meta = meta!,
        }.Save(checkpointPath, durable: true);
        logRows.Add(Trainer.LogRow(metrics, AllUnreadable().Count, precision));
        AtomicFile.Write(logPath, s =>
        {
            using var w = new StreamWriter(s, leaveOpen: true);
            w.WriteLine(Trainer.LogHeader);
            foreach (var row in logRows) w.WriteLine(row);
        });
        Trainer.WriteCurves(logPath, ref curvesFailed, progress);
        tensorBoard?.WriteEpoch(metrics, config.Lr);
    }

    /// <summary>Writes the final weights under SPEC's name and says what the run made.</summary>
    public TrainResult Finish()
    {
        var weightsPath = Trainer.SaveFinalWeights(learner!, config, outDir, startedAt);
        progress.Message($"saved {DisplayPath.For(weightsPath)}");
        return new TrainResult(weightsPath, checkpointPath, logPath, epochs, files.Count - source!.UnreadableCount, AllUnreadable());
    }

    List<string> AllUnreadable() => unreadableAtStart.Concat(source!.Unreadable).ToList();

    public void Dispose()
    {
        augment?.Dispose();
        optimizer?.Dispose();
        learner?.Dispose();
        deviceMel?.Dispose();
        mel?.Dispose();
        folderLock.Dispose();
    }
}
