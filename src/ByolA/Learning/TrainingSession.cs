using ByolA.Augmentations;
using ByolA.Models;
using System.Globalization;
using ByolA.Audio;
using ByolA.Configuration;
using ByolA.Data;
using ByolA.Distributed;
using ByolA.Progress;
using ByolA.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Learning;

/// <summary>
/// One <see cref="Trainer.Run"/>, built fully prepared by <see cref="Open"/> — output folder locked, data checked,
/// clip source and front end made, learner, optimizer, normalisation and augmentation built, a checkpoint restored —
/// so nothing in it is missing once it exists; <see cref="Run"/> then trains the remaining epochs (each: steps, checkpoint,
/// log row, curves) and writes the final weights. Disposing releases the folder's lock and every native object.
/// </summary>
internal sealed class TrainingSession : IDisposable
{
    readonly TrainOptions options;
    readonly ByolAConfig config;
    readonly IProgressReporter progress;
    readonly CancellationToken ct;
    readonly Device device;
    readonly string precision;
    readonly DateTime startedAt;
    readonly string outDir, checkpointPath, logPath;
    readonly Owned owned;
    readonly IProcessGroup group;
    readonly DataParallel parallel;   // gradients, checks and metrics across ranks; accumulation on one
    readonly bool writer;             // rank 0: the one rank that writes the run's files

    // The data: checked files, batch size, the settings a resume must share, the clip source and its front end.
    readonly List<string> candidates;
    readonly IReadOnlyList<string> files;
    readonly IReadOnlyList<string> unreadableAtStart;
    readonly int bs;
    readonly Dictionary<string, long> meta;
    readonly ClipSource source;
    readonly Func<ClipBatch, Tensor> prepare;
    readonly LogMelSpectrogram? deviceMel;   // CUDA: the log-mel is made on the device from waveform batches

    // The model and its training state.
    readonly ByolLearner learner;
    readonly TorchSharp.Modules.Adam optimizer;
    readonly SeededRandom augmentRng;
    readonly SeededRandom viewRng;   // the augmentation's draws: augmentRng alone, a per-rank stream on several ranks
    readonly TwoViewAugmentation augment;
    readonly Func<(double Mean, double Var, long Updates)> normState;
    readonly RunningNorm? running;
    readonly int startEpoch;
    readonly List<string> logRows;
    readonly List<EpochMetrics> epochs = [];
    bool curvesFailed;

    TrainingSession(Context c, Data d, Model m, int startEpoch, List<string> logRows)
    {
        (options, config, progress, ct, device, precision, startedAt, outDir, checkpointPath, logPath, owned) =
            (c.Options, c.Options.Config, c.Progress, c.Ct, c.Device, c.Precision, c.StartedAt, c.OutDir, c.CheckpointPath, c.LogPath, c.Owned);
        (group, writer, parallel, viewRng) = (c.Group, c.Group.Rank == 0, m.Parallel, m.ViewRng);
        (candidates, files, unreadableAtStart, bs, meta, source, prepare, deviceMel) =
            (d.Candidates, d.Files, d.UnreadableAtStart, d.Bs, d.Meta, d.Source, d.Prepare, d.DeviceMel);
        (learner, optimizer, augmentRng, augment, normState, running) = (m.Learner, m.Optimizer, c.AugmentRng, m.Augment, m.NormState, m.Running);
        this.startEpoch = startEpoch;
        this.logRows = logRows;
    }

    /// <summary>
    /// Builds the whole session in order: locks the output folder, reads the checkpoint to resume from and refuses to
    /// replace another run; finds and checks the audio, sizes the batch and makes the clip source and the log-mel
    /// front end (on the loader's threads for the CPU, on the device for CUDA); seeds the CPU generator and builds the
    /// learner, its optimizer and the recipe's normalisation and augmentation; restores the checkpoint's state.
    /// With several ranks (<paramref name="group"/>) only rank 0 locks, reads the checkpoint (the others get its bytes)
    /// and writes; every rank trains on GPU LocalRank, and the ranks check that they agree before the first step.
    /// </summary>
    public static TrainingSession Open(TrainOptions options, IProcessGroup group, IProgressReporter progress, CancellationToken ct)
    {
        var config = options.Config;
        var outDir = Path.GetFullPath(options.ResolvedOutputDir);
        var owned = new Owned();
        bool writer = group.Rank == 0;
        if (writer) owned.Add(Trainer.LockOutputFolder(outDir));
        try
        {
            RequireSplit(config.Bs, group.WorldSize);
            var checkpointPath = Path.Combine(outDir, TrainingCheckpoint.FileName);
            var checkpoint = options.ResumeFrom is not { Length: > 0 } r ? null
                : group.WorldSize == 1 ? TrainingCheckpoint.Load(r)
                : TrainingCheckpoint.Load(group.Broadcast(writer ? IoErrors.Guard(r, "read the checkpoint", () => File.ReadAllBytes(r)) : [], "rank 0's checkpoint"), r);
            // The final weights are named after the epochs asked for (e{epochs}); a checkpoint already past them would
            // give a file named e1 holding epoch 2.
            if (checkpoint != null && checkpoint.Epoch > config.Epochs)
                throw new OptionException($"{{0}} {ByolAException.Escape(options.ResumeFrom ?? "")} already holds epoch {checkpoint.Epoch}, more than the {config.Epochs} asked for; " +
                                          $"set {{1}} to more than {checkpoint.Epoch} to train on", nameof(TrainOptions.ResumeFrom), "epochs");
            if (writer) Trainer.RefuseToReplaceAnotherRun(options, checkpointPath);
            var device = options.Device ?? CPU;
            // One GPU per rank: the launcher's local rank picks it.
            if (group.WorldSize > 1 && device.type == DeviceType.CUDA) device = new Device(DeviceType.CUDA, group.LocalRank);
            // Loader threads only decode and crop (and, on the CPU, make the log-mel): the config's num_workers, as the
            // original's data loader has, but no more than the cores (more threads than cores only contend).
            int threads = options.DecodeThreads ?? Math.Clamp(Math.Min(config.NumWorkers, Environment.ProcessorCount), 1, 64);
            var c = new Context(options, progress, ct, DateTime.UtcNow, outDir, checkpointPath, Path.Combine(outDir, Trainer.LogFileName), device,
                Precision.Apply(device, options.Precision), threads, new SeededRandom(config.Seed), owned, group);
            // cuDNN's autotuner is process-wide; set either way so an earlier run in this process leaves nothing behind.
            // A libtorch without the switch trains on untuned (it only costs speed) and says so.
            if (device.type == DeviceType.CUDA)
            {
                if (LibTorchNative.CudnnBenchmarkProblem is { } problem)
                    progress.Message($"warning: cuDNN autotuning unavailable ({problem}); training without it");
                else LibTorchNative.CudnnBenchmark = options.CudnnBenchmark;
                ConvLayout.CudaChannelsLast = options.CudaChannelsLast;
            }
            var data = PrepareData(c, checkpoint);
            RequireSplit(data.Bs, group.WorldSize);
            var model = PrepareModel(c, data, checkpoint);
            model.Parallel.RequireSameRun(RunSettings(c, data, checkpoint), AudioIdentity(options, data.Files), data.Files.Count);
            var (startEpoch, logRows) = Restore(c, data, model, checkpoint);
            model.Parallel.RequireSameWeights(model.Learner, "at the start");
            return new TrainingSession(c, data, model, startEpoch, logRows);
        }
        catch
        {
            owned.Dispose();
            throw;
        }
    }

    /// <summary>The global batch is split evenly over the ranks, and BatchNorm needs at least two clips on each.</summary>
    static void RequireSplit(int bs, int world)
    {
        if (world == 1) return;
        if (bs % world != 0)
            throw new OptionException($"{{0}} {bs} is the batch of all {world} ranks together and must split evenly over them; choose a multiple of {world}", "bs");
        if (bs / world < 2)
            throw new OptionException($"{{0}} {bs} over {world} ranks gives each rank {bs / world} clip; BatchNorm needs at least 2 per rank (bs ≥ {2 * world})", "bs");
    }

    /// <summary>What every rank must train with alike (hashed and compared at start, <see cref="DataParallel.RequireSameRun"/>).</summary>
    static string RunSettings(Context c, Data d, TrainingCheckpoint? checkpoint)
    {
        var (o, config) = (c.Options, c.Options.Config);
        return string.Join(";", d.Meta.Where(kv => kv.Key != "files").OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")) +
               string.Create(CultureInfo.InvariantCulture, $";lr={config.Lr:R};epochs={config.Epochs};ema={config.EmaDecay:R};unit={config.UnitSamples};rate={config.SampleRate}") +
               $";accum={config.AccumSteps};device={c.Device.type};resume={checkpoint?.Epoch ?? 0};model={config.Encoder.Recipe}";
    }

    /// <summary>The training files as every rank should see them: names relative to the audio folder, and sizes.</summary>
    static IEnumerable<string> AudioIdentity(TrainOptions options, IReadOnlyList<string> files)
    {
        var root = options.Files is null && options.AudioDir is { } dir ? Path.GetFullPath(dir) : null;
        return files.Select(f =>
        {
            long size = -1;
            try { size = new FileInfo(f).Length; } catch (Exception e) when (IoErrors.IsIo(e)) { }
            return $"{(root is null ? f : Path.GetRelativePath(root, Path.GetFullPath(f)))}\t{size}";
        });
    }

    /// <summary>
    /// Finds and checks the audio files, sizes the batch, and builds the clip source and the log-mel front end (on the
    /// loader's threads for the CPU, on the device for CUDA).
    /// </summary>
    static Data PrepareData(Context c, TrainingCheckpoint? checkpoint)
    {
        var (options, config, progress) = (c.Options, c.Options.Config, c.Progress);
        var candidates = options.Files?.ToList() ?? TrainingFiles.Find(options.AudioDir ?? "", w => progress.Message("warning: " + w));
        string where = options.Files != null ? "training file list" : options.AudioDir ?? "";
        var (files, unreadable) = TrainingFiles.Check(candidates, config.SampleRate, where, options.MaxUnreadableFraction, progress, c.Threads, c.Ct);
        if (files.Count < 2) throw new ByolAException($"{where}: training needs at least 2 readable clips (found {files.Count})");
        foreach (var line in unreadable.Take(10)) progress.Message($"skipped unreadable file {line}");
        if (unreadable.Count > 10) progress.Message($"... and {unreadable.Count - 10} more unreadable files skipped");

        int bs = Math.Min(config.Bs, files.Count);
        if (bs < config.Bs) progress.Message($"only {files.Count} clips: batch size {config.Bs} reduced to {bs}");
        var meta = TrainingCheckpoint.MetaFor(config, files.Count);
        if (checkpoint != null) checkpoint.RequireCompatible(meta, options.ResumeFrom ?? "");
        // Recorded but not required: a resume may change precision, and says so (Restore).
        meta[TrainingCheckpoint.PrecisionKey] = (long)Precision.Effective(c.Device, options.Precision);

        var source = new ClipSource(files, new ClipSourceOptions
        {
            SampleRate = config.SampleRate, UnitSamples = config.UnitSamples, Crop = ClipCrop.Random, Seed = config.Seed,
            Workers = c.Threads, PrefetchBatches = options.PrefetchBatches, SkipUnreadable = true,
            // Compressed files are decoded once and kept (up to a quarter of the memory available, at most 2 GiB).
            Convert = AudioConversion.ToMono, DecodedCacheBytes = Math.Min(2L << 30, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4),
        }, w => progress.Message("warning: " + w));
        var mel = c.Owned.Add(new LogMelSpectrogram(config.FrontEnd));
        long frames = mel.FramesFor(config.UnitSamples);
        if (frames != config.Shape[1])
            throw new ByolAException($"config: unit_sec {config.UnitSec} gives {frames} frames but shape says {config.Shape[1]}; make them agree (e.g. unit_sec 0.95 ↔ shape [64, 96])");
        var device = c.Device;
        bool pin = device.type == DeviceType.CUDA;
        // Log-mel on the loader's thread, ahead of the model: (B', unit) → (B', 1, F, T) on the CPU, pinned for CUDA.
        Func<ClipBatch, Tensor> toLogMel = batch =>
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            if (batch.Count == 0) return zeros(0, 1, config.NMels, config.Shape[1]).MoveToOuterDisposeScope();
            var lms = mel.forward(batch.ToTensor()).unsqueeze(1);
            return (pin ? lms.pin_memory() : lms).MoveToOuterDisposeScope();
        };
        // On CUDA the loader only decodes and crops: pinned waveform batches go up and the log-mel is made on the device
        // (one loader thread cannot keep a GPU fed). On the CPU it stays on the loader thread, ahead of the model.
        if (options.LogMelOnDevice ?? pin)
        {
            var deviceMel = c.Owned.Add(new LogMelSpectrogram(config.FrontEnd));
            deviceMel.to(device);
            return new Data(candidates, files, unreadable, bs, meta, source, toLogMel, deviceMel,
                batch => batch.Count == 0 ? zeros(0, config.UnitSamples) : batch.ToTensor(pin));
        }
        return new Data(candidates, files, unreadable, bs, meta, source, toLogMel, null, toLogMel);
    }

    /// <summary>
    /// Seeds the CPU generator, builds the learner and its optimizer, and the recipe's normalisation: a running one
    /// (v1), the checkpoint's (v2 resume) or statistics over training clips (v2); then the two-view augmentation.
    /// </summary>
    static Model PrepareModel(Context c, Data data, TrainingCheckpoint? checkpoint)
    {
        var (options, config) = (c.Options, c.Options.Config);
        manual_seed(config.Seed);
        var learner = c.Owned.Add(new ByolLearner(() => Trainer.CreateEncoder(config), config.FeatureD, config.ProjDim, config.ProjSize,
            (config.NMels, config.Shape[1]), config.EmaDecay, c.Device));
        learner.ComputePrecision = Precision.Effective(c.Device, options.Precision);
        var optimizer = c.Owned.Add(learner.CreateOptimizer(config.Lr));
        var parallel = c.Owned.Add(new DataParallel(learner, c.Group));
        int world = c.Group.WorldSize;
        // One process draws its views from the generator that shuffles, as always. Several ranks shuffle alike (the same
        // generator, so every rank takes its slice of the same batches) and draw their views from their own stream,
        // reset from (seed, epoch, rank) at each epoch: nothing of it needs saving for an exact resume.
        var viewRng = world == 1 ? c.AugmentRng : new SeededRandom(config.Seed);
        switch (config.Encoder.TrainingRecipe)
        {
            case TrainingRecipe.RunningNormV1:
                var running = new RunningNorm(epochSamples: 2L * data.Files.Count / world, maxUpdateEpochs: 10);
                return new Model(learner, optimizer, c.Owned.Add(TwoViewAugmentation.V1(viewRng, running)),
                    () => (running.Statistics.Mean, running.Statistics.Var, running.Updates), running, parallel, viewRng);
            default:
                var precomputed = checkpoint != null
                    ? new PrecomputedNorm((float)checkpoint.NormMean, (float)Math.Sqrt(checkpoint.NormVar))
                    : Trainer.ComputeNormStats(data.Source, data.ToLogMel, config, Math.Min(options.NormStatsClips, data.Files.Count), c.Progress, c.Ct);
                return new Model(learner, optimizer, c.Owned.Add(TwoViewAugmentation.V2(viewRng, precomputed)),
                    () => (precomputed.Mean, (double)precomputed.Std * precomputed.Std, 0L), null, parallel, viewRng);
        }
    }

    /// <summary>
    /// Restores the learner, optimizer, random streams and normalisation from the checkpoint, with the log rows that
    /// belong to it; on a fresh run says what is about to be trained.
    /// </summary>
    static (int StartEpoch, List<string> LogRows) Restore(Context c, Data data, Model model, TrainingCheckpoint? checkpoint)
    {
        var (options, config, progress) = (c.Options, c.Options.Config, c.Progress);
        if (checkpoint == null)
        {
            int world = c.Group.WorldSize, accum = config.AccumSteps;
            var split = world == 1 ? "" : string.Format(CultureInfo.InvariantCulture, " ({0} on each of {1} ranks, gradients through {2}: {3} floats, {4:F1} MB a step)",
                data.Bs / world, world, c.Group.Kind, model.Parallel.ParameterCount, 4.0 * model.Parallel.ParameterCount / 1e6);
            var accumulated = accum == 1 ? "" : $", {accum} batches accumulated per step ({data.Bs * accum} clips)";
            progress.Message($"training {config.Encoder.Recipe} d={config.FeatureD} on {data.Files.Count} clips, " +
                             $"{config.Epochs} epochs, batch {data.Bs}{split}{accumulated}, lr {config.Lr.ToString(CultureInfo.InvariantCulture)}, device {c.Device} ({c.Precision}), " +
                             $"{c.Threads} loader thread{(c.Threads == 1 ? "" : "s")}");
            return (0, []);
        }
        model.Learner.load_state_dict(checkpoint.Learner, strict: true);
        using (var reader = new BinaryReader(new MemoryStream(checkpoint.Optimizer)))
            model.Optimizer.load_state_dict(reader);
        c.AugmentRng.State = checkpoint.AugmentRng;
        random.set_rng_state(checkpoint.TorchRng);
        model.Running?.Restore(checkpoint.NormMean, checkpoint.NormVar, checkpoint.NormUpdates);
        // The log that belongs to the checkpoint sits next to it, which need not be the output folder.
        var logRows = new List<string>();
        var earlierLog = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.ResumeFrom ?? "")) ?? "", Trainer.LogFileName);
        if (c.Group.Rank == 0 && File.Exists(earlierLog))   // only rank 0 writes the log
            logRows.AddRange(File.ReadAllLines(earlierLog).Skip(1).Where(l => int.TryParse(l.Split(',')[0], out var e) && e <= checkpoint.Epoch));
        var now = data.Meta[TrainingCheckpoint.PrecisionKey];
        var change = checkpoint.Meta.TryGetValue(TrainingCheckpoint.PrecisionKey, out var before) && before != now
            ? $" (trained in {TrainingCheckpoint.PrecisionName(before)} so far, continuing in {TrainingCheckpoint.PrecisionName(now)})" : "";
        progress.Message($"resumed from {options.ResumeFrom} after epoch {checkpoint.Epoch}{change}");
        return (checkpoint.Epoch, logRows);
    }

    /// <summary>
    /// Trains the epochs still to train (each: its steps, then its checkpoint, log row and curves), then writes the
    /// final weights. With several ranks every rank trains and checks; only rank 0 writes.
    /// </summary>
    public TrainResult Run()
    {
        var tensorBoard = writer && options.TensorBoardDir is { } tb ? new TensorBoardLog(tb, w => progress.Message("warning: " + w)) : null;
        for (int epoch = startEpoch + 1; epoch <= config.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            bool picture = tensorBoard != null && options.TensorBoardImageEvery > 0 && (epoch - 1) % options.TensorBoardImageEvery == 0;
            int e = epoch;
            var metrics = RunSteps(epoch, picture ? (v1, v2) => tensorBoard!.WriteViews(e, v1, v2) : null);
            epochs.Add(metrics);
            TrainingFiles.EnforceLimit(AllUnreadable(), candidates.Count, options.MaxUnreadableFraction);
            progress.Message(string.Format(CultureInfo.InvariantCulture,
                "epoch {0}/{1}: loss {2:F4}  mb {3:F3} sb {4:F3} ma {5:F3} sa {6:F3}  ({7:F1} samples/s)",
                epoch, config.Epochs, metrics.Loss, metrics.Mb, metrics.Sb, metrics.Ma, metrics.Sa, metrics.SamplesPerSecond));
            if (writer) WriteEpochOutputs(metrics);
            tensorBoard?.WriteEpoch(metrics, config.Lr);
            // The others wait here while rank 0 writes, so a rank that stops later finds the epoch's checkpoint whole.
            if (group.WorldSize > 1) group.AllGather([epoch], $"rank 0's checkpoint of epoch {epoch}");
        }
        var weightsPath = writer ? Trainer.SaveFinalWeights(learner, config, outDir, startedAt) : "";
        if (writer) progress.Message($"saved {DisplayPath.For(weightsPath)}");
        return new TrainResult(weightsPath, checkpointPath, logPath, epochs, files.Count - source.UnreadableCount, AllUnreadable())
        {
            Rank = group.Rank,
            WorldSize = group.WorldSize,
        };
    }

    /// <summary>
    /// One epoch of BYOL steps over the shuffled files (the incomplete last batch dropped, as the original's loader
    /// does). Each global batch of bs clips is split into contiguous slices of bs / N, one per rank; with
    /// accumulation, K consecutive batches make one optimizer step (a last group short of K is dropped). One
    /// process without accumulation steps exactly as before (<see cref="ByolLearner.Step"/>).
    /// </summary>
    EpochMetrics RunSteps(int epoch, Action<Tensor, Tensor>? firstViews)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        augment.Mixup.Reset();
        int world = group.WorldSize, rank = group.Rank, accum = config.AccumSteps, part = bs / world;
        bool plain = world == 1 && accum == 1;
        var order = augmentRng.Permutation(files.Count);
        int globalBatches = files.Count / bs / accum * accum;
        var batches = Enumerable.Range(0, globalBatches).Select(b => order.AsSpan(b * bs + rank * part, part).ToArray()).ToList();
        if (world > 1) viewRng.State = EpochSeeds.Views(config.Seed, epoch, rank);
        bool cuda = device.type == DeviceType.CUDA;
        long cudaSeed = EpochSeeds.Cuda(config.Seed, epoch);
        if (cuda) TorchSharp.torch.cuda.manual_seed_all(cudaSeed);
        // Nothing in a step reads from the device: metrics are summed there, and the bar shows the loss at most once per
        // ProgressInterval, so the host queues steps ahead of the GPU.
        using var metrics = new DeviceMetrics();
        var sinceShown = System.Diagnostics.Stopwatch.StartNew();
        int samples = 0, contributed = 0;
        var stepped = new List<int[]>();   // the batches that made a step, in order: names the files of a bad one
        int position = -1;
        using (var task = progress.Start($"epoch {epoch}/{config.Epochs}", batches.Count))
        {
            foreach (var lms in source.Batches(batches, epoch, prepare, ct))
            {
                using var owned = lms;   // made on the loader's thread, owned by no dispose scope
                using var scope = NewDisposeScope();
                ct.ThrowIfCancellationRequested();
                long n = lms.shape[0];
                position++;
                bool first = position % accum == 0, last = position % accum == accum - 1;
                if (!plain && first) optimizer.zero_grad();
                if (world > 1) DistributedTestHooks.AtStep(rank, epoch, position / accum + 1);
                if (n < 2)
                {
                    // A rank with nothing to learn from still joins the step's exchange: every rank steps together.
                    if (!plain && last) Synchronise(epoch, position);
                    task.Advance(1, "batch skipped (unreadable files)");
                    continue;
                }
                var x = lms.to(device, non_blocking: cuda);
                if (deviceMel != null) x = deviceMel.forward(x).unsqueeze(1);   // (B, unit) → (B, 1, F, T) on the device
                var (v1, v2) = augment.Apply(x);
                // The TensorBoard picture of this epoch, from its first batch (a device read on those epochs only).
                if (firstViews != null && stepped.Count == 0) firstViews(v1, v2);
                var paired = cat([v1, v2]);
                var before = stack([paired.mean(), paired.std()]);
                var normed = NormalizeBatch.Apply(paired);
                var after = stack([normed.mean(), normed.std()]);
                Tensor stepLoss;
                if (plain) stepLoss = learner.Step(optimizer, normed[..(int)n], normed[(int)n..]);
                else
                {
                    stepLoss = learner.Backward(normed[..(int)n], normed[(int)n..]);
                    contributed++;
                    if (last) Synchronise(epoch, position);
                }
                var values = cat([stepLoss.reshape(1), before, after]);
                metrics.Add(values);
                stepped.Add(batches[position]);
                samples += (int)n;
                if (sinceShown.Elapsed >= options.ProgressInterval)
                {
                    task.Advance(1, string.Format(CultureInfo.InvariantCulture, "loss {0:F4}", metrics.ReadLoss(values)));
                    sinceShown.Restart();
                }
                else task.Advance(1);
            }
        }

        // An optimizer step of the gradients summed since zero_grad: averaged over ranks and micro-batches, then Adam and EMA.
        void Synchronise(int e, int at)
        {
            parallel.AverageGradients(contributed, $"the gradients of epoch {e}, step {at / accum + 1}");
            learner.Update(optimizer);
            contributed = 0;
        }

        var means = metrics.ReadMeans();   // waits for the epoch's last step, so the time below is the device's too
        double seconds = started.Elapsed.TotalSeconds;
        if (world == 1)
        {
            if (metrics.FirstNonFiniteStep is { } bad) throw Trainer.NonFiniteLoss(metrics.NonFiniteLoss, epoch, bad + 1, stepped[bad], files);
            return new EpochMetrics(epoch, means[0], means[1], means[2], means[3], means[4], metrics.Steps, samples, seconds)
            {
                HostReads = metrics.HostReads,
                CudaSeed = cudaSeed,
            };
        }
        return AgreeOnEpoch(epoch, means, metrics, samples, seconds, stepped, cudaSeed);
    }

    /// <summary>
    /// The end of an epoch on several ranks, the same on each: a loss that became NaN on any rank stops all of them;
    /// rank 0's BatchNorm running statistics and input normalisation go to every rank; the weights' checksums are
    /// compared; and the metrics are averaged over the ranks' steps (samples summed, rank 0's time).
    /// </summary>
    EpochMetrics AgreeOnEpoch(int epoch, double[] means, DeviceMetrics metrics, int samples, double seconds, List<int[]> stepped, long cudaSeed)
    {
        double badStep = metrics.FirstNonFiniteStep is { } b ? b : -1;
        var all = parallel.Gather([.. means, metrics.Steps, samples, seconds, badStep, metrics.NonFiniteLoss], $"the metrics of epoch {epoch}");
        if (metrics.FirstNonFiniteStep is { } bad) throw Trainer.NonFiniteLoss(metrics.NonFiniteLoss, epoch, bad + 1, stepped[bad], files);
        for (int r = 0; r < all.Length; r++)
            if (all[r][8] >= 0)
                throw new ByolAException(string.Format(CultureInfo.InvariantCulture,
                    "training stopped: rank {0}'s loss became {1} at epoch {2}, step {3}; nothing of this epoch was written, the last checkpoint is the last good state (rank {0} names the batch's files)",
                    r, (float)all[r][9], epoch, (int)all[r][8] + 1));
        parallel.BroadcastBuffers($"rank 0's BatchNorm statistics after epoch {epoch}");
        if (running != null)
        {
            var (mean, variance) = running.Statistics;
            var norms = parallel.Gather([mean, variance, running.Updates], $"rank 0's normalisation after epoch {epoch}");
            running.Restore(norms[0][0], norms[0][1], (long)norms[0][2]);
        }
        parallel.RequireSameWeights(learner, $"after epoch {epoch}");
        double steps = all.Sum(r => r[5]);
        var mean5 = Enumerable.Range(0, 5).Select(k => steps > 0 ? all.Sum(r => r[k] * r[5]) / steps : 0).ToArray();
        return new EpochMetrics(epoch, mean5[0], mean5[1], mean5[2], mean5[3], mean5[4], metrics.Steps, (int)all.Sum(r => r[6]), all[0][7])
        {
            HostReads = metrics.HostReads,
            CudaSeed = cudaSeed,
        };
    }

    /// <summary>The epoch's checkpoint (durable), its row of train_log.csv and the redrawn curves.</summary>
    void WriteEpochOutputs(EpochMetrics metrics)
    {
        var (normMean, normVar, normUpdates) = normState();
        using var optimizerBytes = new MemoryStream();
        using (var writer = new BinaryWriter(optimizerBytes, System.Text.Encoding.UTF8, leaveOpen: true))
            optimizer.save_state_dict(writer);
        using var torchRng = random.get_rng_state();
        new TrainingCheckpoint
        {
            Epoch = metrics.Epoch,
            Learner = learner.state_dict(),
            Optimizer = optimizerBytes.ToArray(),
            AugmentRng = augmentRng.State,
            TorchRng = torchRng,
            NormMean = normMean,
            NormVar = normVar,
            NormUpdates = normUpdates,
            Meta = meta,
        }.Save(checkpointPath, durable: true);
        logRows.Add(Trainer.LogRow(metrics, AllUnreadable().Count, precision));
        AtomicFile.Write(logPath, s =>
        {
            using var w = new StreamWriter(s, leaveOpen: true);
            w.WriteLine(Trainer.LogHeader);
            foreach (var row in logRows) w.WriteLine(row);
        });
        Trainer.WriteCurves(logPath, ref curvesFailed, progress);
    }

    List<string> AllUnreadable() => unreadableAtStart.Concat(source.Unreadable).ToList();

    public void Dispose() => owned.Dispose();

    /// <summary>The run's settings and what every step of the builder shares.</summary>
    sealed record Context(TrainOptions Options, IProgressReporter Progress, CancellationToken Ct, DateTime StartedAt, string OutDir,
        string CheckpointPath, string LogPath, Device Device, string Precision, int Threads, SeededRandom AugmentRng, Owned Owned, IProcessGroup Group);

    /// <summary>The checked files and the clip source with its front end (<see cref="PrepareData"/>).</summary>
    sealed record Data(List<string> Candidates, IReadOnlyList<string> Files, IReadOnlyList<string> UnreadableAtStart, int Bs,
        Dictionary<string, long> Meta, ClipSource Source, Func<ClipBatch, Tensor> ToLogMel, LogMelSpectrogram? DeviceMel, Func<ClipBatch, Tensor> Prepare);

    /// <summary>The learner, its optimizer and the recipe's augmentation and normalisation state (<see cref="PrepareModel"/>).</summary>
    sealed record Model(ByolLearner Learner, TorchSharp.Modules.Adam Optimizer, TwoViewAugmentation Augment,
        Func<(double Mean, double Var, long Updates)> NormState, RunningNorm? Running, DataParallel Parallel, SeededRandom ViewRng);

    /// <summary>Native objects of the session, disposed last made first; the folder lock is the first made, so the last freed.</summary>
    sealed class Owned : IDisposable
    {
        readonly List<IDisposable> items = [];

        public T Add<T>(T item) where T : IDisposable
        {
            items.Add(item);
            return item;
        }

        public void Dispose()
        {
            for (int i = items.Count - 1; i >= 0; i--) items[i].Dispose();
            items.Clear();
        }
    }
}
