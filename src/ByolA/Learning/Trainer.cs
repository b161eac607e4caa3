using ByolA.Weights;
using System.Globalization;
using System.Security.Cryptography;
using ByolA.Audio;
using ByolA.Augmentations;
using ByolA.Configuration;
using ByolA.Data;
using ByolA.Distributed;
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
        // The processes this one trains with, from how it was started (one, alone); opened first and closed last.
        using var group = ProcessGroups.Open((options.Device ?? CPU).type, options.DistStore, options.DistTimeout, nameof(TrainOptions.DistStore));
        try
        {
            // Only rank 0 reports progress (and writes files): N ranks would print every line N times.
            using var session = TrainingSession.Open(options, group, group.Rank == 0 ? progress ?? NullProgressReporter.Instance : NullProgressReporter.Instance, ct);
            var result = session.Run();
            group.Complete();
            return result;
        }
        catch (ByolAException e) when (group.WorldSize > 1 && e.GetType() == typeof(ByolAException) && !e.Message.StartsWith("rank", StringComparison.Ordinal))
        {
            throw new ByolAException($"rank {group.Rank} of {group.WorldSize}: {e.Message}", e);
        }
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

    /// <summary>The pooled encoder of the config's recipe (its <see cref="ByolAConfig.Encoder"/>).</summary>
    public static nn.Module<Tensor, Tensor> CreateEncoder(ByolAConfig config) => config.Encoder.CreateForTraining(config.NMels, config.FeatureD);

    /// <summary>
    /// The weights are poisoned once a loss is NaN or infinite, and every later checkpoint would carry the poison: stop
    /// before this epoch writes anything, so the last checkpoint on disk is the last good one.
    /// </summary>
    internal static ByolAException NonFiniteLoss(float loss, int epoch, int step, int[] batch, IReadOnlyList<string> files)
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
        var held = IoErrors.Guard(outDir, "write to the output folder", () => FileLock.TryAcquire(Path.Combine(outDir, LockFileName)))
               ?? throw new ByolAException($"{outDir}: another training run is writing to this folder (it holds {LockFileName}); wait for it to finish or choose another output folder");
        // A run killed while writing a checkpoint (kill -9, power loss) leaves a 40–80 MB temporary; with the lock held,
        // those of processes that are gone are ours to remove.
        AtomicFile.RemoveStaleTemps(outDir);
        return held;
    }

    /// <summary>The lock file a training run holds in its output folder.</summary>
    public const string LockFileName = ".byola-train.lock";

    /// <summary>
    /// A fresh run (or a resume from elsewhere) must not replace another run's files unless asked to: its checkpoint,
    /// and as much its log, curves and final weights, which a run interrupted after deleting the checkpoint (or one
    /// whose checkpoint was moved away) still leaves behind.
    /// </summary>
    internal static void RefuseToReplaceAnotherRun(TrainOptions options, string checkpointPath)
    {
        if (options.Overwrite) return;
        if (options.ResumeFrom is { Length: > 0 } r && File.Exists(checkpointPath) && SamePath(r, checkpointPath)) return;
        var folder = Path.GetDirectoryName(checkpointPath)!;
        if (EarlierRunFile(folder) is { } found)
            throw new ExistingRunException(folder, options.ResumeFrom is { Length: > 0 }, found);
    }

    /// <summary>The first file of an earlier run in <paramref name="folder"/> (checkpoint first), or null.</summary>
    static string? EarlierRunFile(string folder)
    {
        foreach (var name in (string[])[TrainingCheckpoint.FileName, LogFileName, Reports.TrainingCurvesPlot.FileName])
            if (Path.Exists(Path.Combine(folder, name))) return name;
        if (!Directory.Exists(folder)) return null;
        return Directory.EnumerateFiles(folder, "*.pth").Select(Path.GetFileName)
            .Where(n => n!.StartsWith("BYOLA-NTT2020d", StringComparison.Ordinal) || n.StartsWith("AudioNTT2022-BYOLA-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).FirstOrDefault();
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
