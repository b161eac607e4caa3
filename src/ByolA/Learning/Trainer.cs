using ByolA.Weights;
using System.Globalization;
using System.Security.Cryptography;
using ByolA.Audio;
using ByolA.Augmentations;
using ByolA.Configuration;
using ByolA.Data;
using ByolA.Models;
using ByolA.Progress;
using ByolA.Reports;
using ByolA.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Learning;

/// <summary>
/// BYOL-A pretraining (SPEC §4–5), the library entry point behind <c>byola train</c>.
/// v1 recipe (config model AudioNTT2020): RunningNorm, Mixup 0.4, RandomResizeCrop. v2 (AudioNTT2022): statistics
/// of up to 10000 clips computed before training, Mixup 0.2, RandomResizeCrop, RandomLinearFader.
/// <para>
/// Every epoch: shuffle, load batches ahead of the model (<see cref="ClipSource"/>), augment twice on the
/// device, NormalizeBatch, one BYOL step (Adam + EMA) per batch (incomplete last batch dropped, as the original's
/// loader does); then a checkpoint (atomic) and a CSV row. At the end the encoder's state dict is written with
/// SPEC's file name. The Mixup memory starts empty every epoch, as in the original where each epoch's data-loader
/// workers start from a fresh copy of the dataset; this also keeps checkpoints small and resumes exact.
/// </para>
/// </summary>
public static class Trainer
{
    public const string LogFileName = "train_log.csv";

    /// <summary>
    /// Trains as <paramref name="options"/> say and returns where the weights, checkpoint and log went. The shape of a
    /// run: open the output folder (lock, resume or refuse), prepare the data and the normalisation, restore a
    /// checkpoint, then one epoch after another (train, write the epoch's outputs), then the final weights.
    /// </summary>
    public static TrainResult Run(TrainOptions options, IProgressReporter? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        using var run = TrainingRun.Open(options, progress ?? NullProgressReporter.Instance, ct);
        run.PrepareData();
        run.PrepareModel();
        run.Restore();
        for (int epoch = run.FirstEpoch; epoch <= run.LastEpoch; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            var metrics = run.TrainEpoch(epoch);
            run.WriteEpochOutputs(metrics);
        }
        return run.Finish();
    }

    /// <summary>
    /// Redraws train_curves.png next to the log. A picture is not worth a training run: a failure is reported once
    /// and training goes on.
    /// </summary>
    internal static void WriteCurves(string logPath, ref bool failedBefore, IProgressReporter progress)
    {
        try
        {
            TrainingCurvesPlot.Write(logPath, Path.Combine(Path.GetDirectoryName(logPath)!, TrainingCurvesPlot.FileName));
        }
        catch (Exception e) when (!failedBefore && e is not OperationCanceledException)
        {
            failedBefore = true;
            progress.Message($"warning: {TrainingCurvesPlot.FileName} not written ({e.Message}); training goes on");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
        }
    }

    /// <summary>The pooled encoder of the config's recipe: AudioNTT2020 (v1) or AudioNTT2022 (v2).</summary>
    public static nn.Module<Tensor, Tensor> CreateEncoder(ByolAConfig config) =>
        config.IsV2 ? new AudioNTT2022(config.NMels, config.FeatureD) : new AudioNTT2020(config.NMels, config.FeatureD);

    internal static EpochMetrics RunEpoch(int epoch, ByolAConfig config, int bs, IReadOnlyList<string> files, ClipSource source, Func<ClipBatch, Tensor> prepare, LogMelSpectrogram? deviceMel, TwoViewAugmentation augment,
        ByolLearner learner, TorchSharp.Modules.Adam optimizer, SeededRandom augmentRng, TrainOptions options, IProgressReporter progress, CancellationToken ct,
        Action<Tensor, Tensor>? firstViews = null)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        augment.Mixup.Reset();
        var order = augmentRng.Permutation(files.Count);
        var batches = Enumerable.Range(0, files.Count / bs).Select(b => order.AsSpan(b * bs, bs).ToArray()).ToList();
        var device = learner.parameters().First().device;
        bool cuda = device.type == DeviceType.CUDA;
        long cudaSeed = EpochSeeds.Cuda(config.Seed, epoch);
        if (cuda) TorchSharp.torch.cuda.manual_seed_all(cudaSeed);
        // Nothing in a step reads from the device: metrics are summed there, and the bar shows the loss at most once per
        // ProgressInterval, so the host queues steps ahead of the GPU.
        using var metrics = new DeviceMetrics();
        var sinceShown = System.Diagnostics.Stopwatch.StartNew();
        int samples = 0;
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
                if (n < 2) { task.Advance(1, "batch skipped (unreadable files)"); continue; }
                var x = lms.to(device, non_blocking: cuda);
                if (deviceMel != null) x = deviceMel.forward(x).unsqueeze(1);   // (B, unit) → (B, 1, F, T) on the device
                var (v1, v2) = augment.Apply(x);
                // The TensorBoard picture of this epoch, from its first batch (a device read on those epochs only).
                if (firstViews != null && stepped.Count == 0) firstViews(v1, v2);
                var paired = cat([v1, v2]);
                var before = stack([paired.mean(), paired.std()]);
                var normed = NormalizeBatch.Apply(paired);
                var after = stack([normed.mean(), normed.std()]);
                var stepLoss = learner.Step(optimizer, normed[..(int)n], normed[(int)n..]);
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
        var means = metrics.ReadMeans();   // waits for the epoch's last step, so the time below is the device's too
        if (metrics.FirstNonFiniteStep is { } bad) throw NonFiniteLoss(metrics.NonFiniteLoss, epoch, bad + 1, stepped[bad], files);
        return new EpochMetrics(epoch, means[0], means[1], means[2], means[3], means[4], metrics.Steps, samples, started.Elapsed.TotalSeconds)
        {
            HostReads = metrics.HostReads,
            CudaSeed = cudaSeed,
        };
    }

    /// <summary>
    /// The weights are poisoned once a loss is NaN or infinite, and every later checkpoint would carry the poison: stop
    /// before this epoch writes anything, so the last checkpoint on disk is the last good one.
    /// </summary>
    static ByolAException NonFiniteLoss(float loss, int epoch, int step, int[] batch, IReadOnlyList<string> files)
    {
        var names = batch.Select(i => files[i]).Order(StringComparer.Ordinal).ToList();
        return new ByolAException(string.Format(CultureInfo.InvariantCulture,
            "training stopped: the loss became {0} at epoch {1}, step {2}; nothing of this epoch was written, the last checkpoint " +
            "is the last good state. The batch held {3} files (look for clipping, huge or constant values): {4}",
            loss, epoch, step, names.Count, string.Join(", ", names.Take(20)) + (names.Count > 20 ? $", ... ({names.Count - 20} more)" : "")));
    }

    /// <summary>
    /// An exclusive lock on the output folder for the whole run: a second run into the same folder (another process
    /// or thread) would overwrite this one's checkpoint and log epoch by epoch.
    /// </summary>
    internal static FileLock LockOutputFolder(string outDir)
    {
        IoErrors.CreateFolder(outDir, "create the output folder");
        return IoErrors.Guard(outDir, "write to the output folder", () => FileLock.TryAcquire(Path.Combine(outDir, LockFileName)))
               ?? throw new ByolAException($"{outDir}: another training run is writing to this folder (it holds {LockFileName}); wait for it to finish or choose another output folder");
    }

    /// <summary>The lock file a training run holds in its output folder.</summary>
    public const string LockFileName = ".byola-train.lock";

    /// <summary>A fresh run (or a resume from elsewhere) must not replace the checkpoint of another run unless asked to.</summary>
    internal static void RefuseToReplaceAnotherRun(TrainOptions options, string checkpointPath)
    {
        if (options.Overwrite || !File.Exists(checkpointPath)) return;
        if (options.ResumeFrom is { Length: > 0 } r && SamePath(r, checkpointPath)) return;
        throw new ExistingRunException(Path.GetDirectoryName(checkpointPath)!, options.ResumeFrom is { Length: > 0 });
    }

    static bool SamePath(string a, string b) => string.Equals(FilePaths.Real(a), FilePaths.Real(b), FilePaths.Comparison);

    /// <summary>v2: mean and population std of the log-mel of up to <paramref name="clips"/> random training clips.</summary>
    internal static PrecomputedNorm ComputeNormStats(ClipSource source, Func<ClipBatch, Tensor> toLogMel, ByolAConfig config, int clips,
        IProgressReporter progress, CancellationToken ct)
    {
        var chosen = SeededRandom.Derive(config.Seed, -1).Permutation(source.Files.Count).Take(clips).ToArray();
        int bs = Math.Max(1, Math.Min(config.Bs, clips));
        var batches = chosen.Chunk(bs).ToList();
        using var moments = new LogMelMoments();
        using (var task = progress.Start($"normalisation statistics over {clips} clips", batches.Count))
        {
            foreach (var lms in source.Batches(batches, 0, toLogMel, ct))
            {
                using var owned = lms;
                if (lms.shape[0] > 0) moments.Add(lms);
                task.Advance();
            }
        }
        if (moments.Count == 0) throw new ByolAException("no clip could be read to compute the normalisation statistics");
        double mean = moments.Mean, std = moments.Std;
        progress.Message(string.Format(CultureInfo.InvariantCulture, "normalisation statistics: mean {0:F4}, std {1:F4}", mean, std));
        return new PrecomputedNorm((float)mean, (float)Math.Max(std, Numerics.Eps));
    }

    /// <summary>The columns of train_log.csv; precision is fp32 or tf32 (CUDA with TF32 matmuls and convolutions).</summary>
    public const string LogHeader = "epoch,loss,mb,sb,ma,sa,batches,samples,seconds,samples_per_s,unreadable,precision";

    internal static string LogRow(EpochMetrics m, int unreadable, string precision) => string.Join(",",
        m.Epoch.ToString(CultureInfo.InvariantCulture),
        F(m.Loss), F(m.Mb), F(m.Sb), F(m.Ma), F(m.Sa),
        m.Batches.ToString(CultureInfo.InvariantCulture), m.Samples.ToString(CultureInfo.InvariantCulture),
        F(m.Seconds), F(m.SamplesPerSecond), unreadable.ToString(CultureInfo.InvariantCulture), precision);

    static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes the online encoder's state dict (features.*, fc.*) under SPEC's name, which holds the file's hash: the
    /// bytes are made in memory (tens of MB), hashed, then written once through <see cref="AtomicFile"/> (durable).
    /// </summary>
    internal static string SaveFinalWeights(ByolLearner learner, ByolAConfig config, string outDir, DateTime startedAt)
    {
        using var bytes = new MemoryStream();
        EncoderWeights.Write(learner.Encoder, bytes, config.SampleRate);
        var hash = Convert.ToHexString(SHA256.HashData(bytes.GetBuffer().AsSpan(0, (int)bytes.Length)))[..8].ToLowerInvariant();
        var path = Path.Combine(outDir, WeightsFileName.For(config, startedAt.ToLocalTime(), hash));
        AtomicFile.Write(path, s => bytes.WriteTo(s), durable: true);   // an I/O failure is already one line naming path
        return path;
    }
}
