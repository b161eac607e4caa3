using ByolA.Audio;
using ByolA.Embedding;
using ByolA.Data;
using ByolA.Models;
using ByolA.Progress;
using ByolA.Reports;
using ByolA.Tasks;
using static TorchSharp.torch;

namespace ByolA.Probe;

/// <summary>
/// <c>byola evaluate</c> as a library call (SPEC §6): read the task's metadata, check its audio, compute
/// normalisation stats on the training clips and embed every clip (or reuse the cached embeddings of the same
/// weights, task and unit_sec), then train the linear probe <see cref="EvaluateOptions.Repeat"/> times and append
/// the accuracies, mean and std to RESULTS/TASK-scores.csv.
/// </summary>
public static class LinearEvaluation
{
    /// <summary>How many missing audio files an error names.</summary>
    const int NamedMissing = 3;

    public static EvaluationResult Run(EvaluateOptions options, IProgressReporter? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        progress ??= NullProgressReporter.Instance;
        var device = options.Device ?? CPU;
        var task = options.TaskName;
        var metadataPath = options.ResolvedMetadataPath;
        var audioDir = options.ResolvedAudioDir;
        var (metadata, files) = OpenTask(options, progress);
        if (ValidationNote(metadata, options.Probe) is { } note) progress.Message(note);
        double unitSec = options.ResolvedUnitSec;
        var config = options.Config with { UnitSec = unitSec };
        var model = options.ResolvedModelName;
        progress.Message($"{task}: {metadata.Rows.Count} clips, {metadata.Classes.Count} classes, " +
                         (metadata.HasFolds ? $"{metadata.Folds.Count} folds (leave one out)" : "train/valid/test") + $", unit {unitSec:0.###} s");

        var cache = options.UseCache
            ? EmbeddingCache.For(options.WorkRoot, task, model, options.Weights, metadataPath, audioDir, files, unitSec, config, options.Seed,
                Runtime.Precision.Describe(device, options.ResolvedPrecision))
            : null;
        var cached = cache?.TryLoad(metadata.Rows.Count);
        Tensor embeddings;
        NormStats usedStats;
        if (cached is { } hit && Embedder.FirstNonFiniteRow(hit.Embeddings) is null)
        {
            embeddings = hit.Embeddings;
            usedStats = new NormStats(hit.Mean, hit.Std);
            progress.Message($"embeddings: reusing {DisplayPath.For(cache!.Path)} ({embeddings.shape[1]}-d; norm stats {hit.Mean:0.####}, {hit.Std:0.####})");
        }
        else
        {
            cached?.Embeddings.Dispose();
            cached = null;
            embeddings = Embed(options, metadata, files, config, device, progress, ct, out var stats);
            usedStats = stats;
            try
            {
                cache?.Save(embeddings, stats.Mean, stats.Std);
            }
            catch (ByolAException e)
            {
                // The cache only saves time; the evaluation itself can go on. (AtomicFile reports I/O failures as one line.)
                progress.Message($"warning: embeddings not cached: {e.Message}");
            }
        }

        try
        {
            using var x = embeddings.to(device);
            var runs = new List<ProbeRun>();
            ProbeClassifier? saved = null;
            var folds = metadata.Folds;
            int perRun = metadata.HasFolds ? folds.Count : 1;
            string head = options.Probe.HeadName, metric = metadata.MultiLabel ? ScoresCsv.MeanAveragePrecision : ScoresCsv.Accuracy;
            string Shown(double score) => metadata.MultiLabel ? $"mAP {score * 100:0.00}" : $"{score * 100:0.00}%";
            string probeName = head == ScoresCsv.LinearHead ? "linear probe" : $"{head} probe";
            using (var probeTask = progress.Start(metadata.HasFolds ? $"{probeName} ({perRun} folds per run)" : probeName, (long)options.Repeat * perRun))
            {
                for (int run = 0; run < options.Repeat; run++)
                {
                    ct.ThrowIfCancellationRequested();
                    int fold = 0, r = run;
                    runs.Add(ProbeProtocol.Run(metadata, x, options.Probe, options.Seed + run, device, ct,
                        a => probeTask.Advance(1, metadata.HasFolds ? $"run {r} fold {folds[fold++]}: {Shown(a)}" : $"run {r}: {Shown(a)}"),
                        // The classifier of run 0 is the one saved: its test score is the first run's.
                        options.SaveModel != null && run == 0 ? c => saved = c : null));
                    if (metadata.HasFolds) progress.Message($"run {run}: {Shown(runs[^1].Score)} (mean over {perRun} folds)");
                }
            }
            var result = EvaluationReport.Write(options, metadata, runs, model, head, mode: null, (int)embeddings.shape[1], cached != null, progress);
            string? savedPath = null;
            if (options.SaveModel != null)
            {
                string trainedOn;
                double? testScore = null;
                if (metadata.HasFolds)
                {
                    // Fold tasks score one classifier per held-out fold; the classifier to keep learns from every fold.
                    saved = ProbeProtocol.TrainOnAll(metadata, x, options.Probe, options.Seed, ct);
                    trainedOn = $"every fold of {task} (a seeded {(int)Math.Round(ProbeProtocol.ValidFraction * 100)}% held out for early stopping), seed {options.Seed}";
                    progress.Message($"saved classifier: trained on every fold; it has no test score of its own (the {metric} above is the mean over held-out folds)");
                }
                else
                {
                    trainedOn = $"run 0 of {task} (seed {options.Seed})";
                    testScore = runs[0].Score;
                }
                using (saved)
                    SaveClassifier(options, metadata, saved!.Scaler, saved.Head, options.Probe.Hidden, usedStats, unitSec, config, model, trainedOn,
                        testScore, options.Weights, Path.GetFullPath(options.Weights));
                savedPath = options.SaveModel;
            }
            return result with { SavedModelPath = savedPath };
        }
        finally
        {
            embeddings.Dispose();
        }
    }

    /// <summary>
    /// Writes <c>options.SaveModel</c>: the classifier file of a scaler and head on the encoder in
    /// <paramref name="encoderPath"/> (the evaluated weights, or a fine-tuned encoder's temporary file), whose stats
    /// were computed for that encoder. Evaluate's probes and fine-tuned models are saved through it.
    /// </summary>
    internal static void SaveClassifier(EvaluateOptions options, TaskMetadata metadata, StandardScaler scaler, ProbeHead head,
        IReadOnlyList<int> hidden, NormStats stats, double unitSec, Configuration.ByolAConfig config, string model, string trainedOn,
        double? testScore, string encoderPath, string encoderSource)
    {
        var sha = ClassifierFile.Sha256Of(encoderPath);
        var (scalerMean, scalerScale, layers) = ClassifierFile.Arrays(scaler, head);
        new ClassifierFile
        {
            Task = options.TaskName,
            ModelName = model,
            MultiLabel = metadata.MultiLabel,
            Classes = metadata.Classes,
            UnitSec = unitSec,
            Stats = stats,
            StatsSha256 = sha,
            FrontEnd = config.FrontEnd,
            Hidden = hidden,
            ScalerMean = scalerMean,
            ScalerScale = scalerScale,
            Layers = layers,
            EncoderEntry = Path.GetExtension(encoderPath).Equals(".onnx", StringComparison.OrdinalIgnoreCase) ? "encoder.onnx" : "encoder.pth",
            EncoderSha256 = sha,
            EncoderSource = encoderSource,
            TrainedOn = trainedOn,
            TestScore = testScore,
        }.Write(options.SaveModel!, encoderPath);
    }

    /// <summary>
    /// The task as evaluate and finetune read it: its metadata (a known multi-label task stays one; a known single-label
    /// task holding several labels in a row is refused), checked for classes that cannot be scored and for missing
    /// audio, warnings reported, and the results folder checked before any long work. Returns the metadata and every
    /// row's audio path.
    /// </summary>
    internal static (TaskMetadata Metadata, List<string> Files) OpenTask(EvaluateOptions options, IProgressReporter progress)
    {
        var task = options.TaskName;
        var metadataPath = options.ResolvedMetadataPath;
        if (options.KnownTask != null && !File.Exists(metadataPath))
            throw ByolAException.Naming(ByolAException.Escape($"{metadataPath}: not found; run 'byola preprocess {task} DATASET_ROOT' first") +
                " (or point {0} to the folder it was written below)", [nameof(EvaluateOptions.WorkRoot)]);
        var metadata = TaskMetadata.Read(metadataPath);
        if (options.KnownTask is { MultiLabel: false } known && metadata.MultiLabel)
        {
            var row = metadata.Rows.First(r => r.Label.Contains(TaskMetadata.LabelSeparator));
            throw new ByolAException($"{metadataPath}: row '{row.FileName}' has the label cell '{row.Label}' holding several labels, but {known.Name} " +
                                     "is a single-label task; rerun 'byola preprocess', or evaluate it as your own task with its metadata CSV");
        }
        // A multi-label task stays one when its rows happen to hold one label each (scored by mAP, as published).
        if (options.KnownTask is { MultiLabel: true } && !metadata.MultiLabel) metadata = new TaskMetadata(metadata.Rows, metadata.Source, multiLabel: true);
        if (metadata.MultiLabel)
            progress.Message($"multi-label: {metadata.Rows.Count(r => r.Label.Contains(TaskMetadata.LabelSeparator))} of {metadata.Rows.Count} clips hold " +
                             "several labels; sigmoid outputs with binary cross-entropy, best epoch on validation mAP, test mAP and ROC AUC");
        ProbeProtocol.CheckClasses(metadata);
        var files = CheckAudio(metadata, options.ResolvedAudioDir);
        foreach (var warning in metadata.Warnings(files)) progress.Message("warning: " + warning);
        EvaluationReport.CheckWritable(options);
        return (metadata, files);
    }

    /// <summary>Says where the early-stopping validation clips come from when the metadata does not list them.</summary>
    static string? ValidationNote(TaskMetadata metadata, ProbeOptions probe)
    {
        if (!probe.EarlyStopping) return null;
        int percent = (int)Math.Round(ProbeProtocol.ValidFraction * 100);
        string noEarlyStop = $"so the probe trains all {probe.Epochs} epochs without early stopping";
        if (metadata.HasFolds)
            return metadata.Folds.All(f => !ProbeProtocol.CanHoldOut(metadata.Rows.Where(r => r.Fold != f)))
                ? $"validation: no class has two clips outside a fold to hold one out, {noEarlyStop}"
                : $"validation: for each fold left out, a seeded {percent}% of the other folds' clips (holding every class) is held out for early stopping";
        if (metadata.Rows.Any(r => r.Split == Splits.Valid)) return null;
        var train = metadata.Rows.Where(r => r.Split == Splits.Train).ToList();
        string source = metadata.Source ?? "the metadata";
        return ProbeProtocol.CanHoldOut(train)
            ? $"validation: {source} has no valid split, so each run holds out a seeded {percent}% of the {train.Count} training clips " +
              "(holding every class) for early stopping and trains on the rest"
            : $"validation: {source} has no valid split and no class has two training clips to hold one out, {noEarlyStop}";
    }

    /// <summary>The absolute audio path of every row; missing files are one error with the count and first names.</summary>
    internal static List<string> CheckAudio(TaskMetadata metadata, string audioDir)
    {
        if (!Directory.Exists(audioDir))
            throw ByolAException.Naming(ByolAException.Escape($"{audioDir}: audio folder not found; run 'byola preprocess' for known tasks,") +
                " or give your own task's folder with {0}", [nameof(EvaluateOptions.AudioDir)]);
        var files = metadata.Rows.Select(r => TaskMetadata.Resolve(audioDir, r.FileName)).ToList();
        var missing = metadata.Rows.Where((r, i) => !File.Exists(files[i])).Select(r => r.FileName).ToList();
        if (missing.Count > 0)
            throw new ByolAException($"{metadata.Source}: {missing.Count} of {files.Count} listed audio files are missing below {audioDir}, e.g. " +
                                     string.Join(", ", missing.Take(NamedMissing)) + "; rerun 'byola preprocess', or correct the audio folder");
        return files;
    }

    static Tensor Embed(EvaluateOptions options, TaskMetadata metadata, List<string> files, Configuration.ByolAConfig config,
        Device device, IProgressReporter progress, CancellationToken ct, out NormStats stats)
    {
        // Auto, not the probe's device: an engine that runs only on the CPU (ONNX Runtime) embeds there, and the probe
        // still trains on the device.
        using var engine = EmbeddingEngine.Open(options.Weights, new EngineOptions
        {
            Config = config, Precision = options.ResolvedPrecision, Device = Runtime.DeviceSpec.Auto, TorchDevice = device,
        });
        foreach (var warning in engine.Warnings) progress.Message("warning: " + warning);
        progress.Message($"encoder: {engine.Description}");
        // Stats come from the training clips only (all folds for leave-one-out tasks), as the original does.
        using (var moments = engine.NewLogMelMoments())
            stats = NormStatsCalculator.Compute(TrainFiles(metadata, files), moments, config, seed: options.Seed, batchSize: options.EmbedBatch,
                progress: progress, ct: ct);
        progress.Message($"norm stats: mean {stats.Mean:0.####}, std {stats.Std:0.####}");
        using var embedder = new Embedder(engine, stats,
            new EmbedderOptions { Config = config, BatchSize = options.EmbedBatch, Crop = ClipCrop.Random, Seed = options.Seed, Precision = options.ResolvedPrecision });
        using var result = embedder.EmbedFiles(files, progress, ct);
        return tensor(result.Values, result.Shape);
    }

    /// <summary>The clips the stats come from: the training split, or all folds for leave-one-out tasks, as the original does.</summary>
    internal static List<string> TrainFiles(TaskMetadata metadata, List<string> files) =>
        metadata.Rows.Select((r, i) => (r, i))
            .Where(p => metadata.HasFolds || p.r.Split == Splits.Train)
            .Select(p => files[p.i]).ToList();
}
