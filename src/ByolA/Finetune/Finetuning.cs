using ByolA.Audio;
using ByolA.Data;
using ByolA.Probe;
using ByolA.Progress;
using ByolA.Runtime;
using ByolA.Tasks;
using ByolA.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Finetune;

/// <summary>
/// <c>byola finetune</c> as a library call (SPEC §10): read and check the task as evaluate does, compute the
/// normalisation stats on the training clips, read every clip once (waveforms on the device), then per run and per
/// partition of evaluate's protocol (the split task's train/valid/test, or each fold left out in turn) load the
/// encoder, fine-tune it with its head (<see cref="FinetuneTrainer"/>), keep the best validation epoch and score the
/// held-out clips; a run's score is the mean over its folds. Writes what evaluate writes
/// (<see cref="EvaluationReport"/>) with the model named <c>MODEL finetune</c>, and when asked the classifier file.
/// </summary>
public static class Finetuning
{
    /// <summary>The mode written after the model's name in the scores file.</summary>
    public const string Mode = "finetune";

    public static EvaluationResult Run(FinetuneOptions options, IProgressReporter? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        progress ??= NullProgressReporter.Instance;
        var eval = options.Task;
        var recipe = options.Recipe;
        var device = eval.Device ?? CPU;
        var task = eval.TaskName;
        var (metadata, files) = LinearEvaluation.OpenTask(eval, progress);
        var precision = Precision.Effective(device, eval.ResolvedPrecision);
        string precisionName = Precision.Apply(device, precision);
        double unitSec = eval.ResolvedUnitSec;
        var config = eval.Config with { UnitSec = unitSec };
        string model = $"{eval.ResolvedModelName} {Mode}";
        bool multiLabel = metadata.MultiLabel;
        string Shown(double score) => multiLabel ? $"mAP {score * 100:0.00}" : $"accuracy {score * 100:0.00}";
        progress.Message($"{task}: {metadata.Rows.Count} clips, {metadata.Classes.Count} classes, " +
                         (metadata.HasFolds ? $"{metadata.Folds.Count} folds (leave one out)" : "train/valid/test") + $", unit {unitSec:0.###} s; " +
                         $"fine-tuning {(recipe.FreezeEncoder ? "the head only" : "encoder and head")} with {recipe.Optimizer.ToString().ToLowerInvariant()}, " +
                         $"{recipe.Epochs} epochs, batch {recipe.BatchSize}, device {device} ({precisionName})");

        // Every clip is read once and kept on the device; a task too big for one array is refused before any work.
        if ((long)files.Count * config.UnitSamples > Array.MaxLength)
            throw new ByolAException($"{eval.ResolvedMetadataPath}: {files.Count} clips of {config.UnitSamples} samples do not fit one array; fine-tuning keeps every " +
                                     "clip in memory so far — use a shorter unit or a subset of the task");
        var stats = NormStatsCalculator.Compute(LinearEvaluation.TrainFiles(metadata, files), config, device, seed: eval.Seed, progress: progress, ct: ct);
        progress.Message($"norm stats: mean {stats.Mean:0.####}, std {stats.Std:0.####}");
        var source = new ClipSource(files, new ClipSourceOptions
        {
            SampleRate = config.SampleRate, UnitSamples = config.UnitSamples, Crop = ClipCrop.Random, Seed = eval.Seed, Convert = AudioConversion.ToMono,
        });
        var waves = new float[(long)files.Count * config.UnitSamples];
        for (int i = 0; i < files.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            Array.Copy(source.ReadClip(i, 0), 0, waves, (long)i * config.UnitSamples, config.UnitSamples);
        }
        using var all = tensor(waves, [files.Count, config.UnitSamples]).to(device);
        using var frontEnd = new LogMelSpectrogram(config.FrontEnd);
        frontEnd.to(device);
        using var k = new Runtime.KeptScalars();
        Scalar mean = k.Of((float)stats.Mean), std = k.Of((float)stats.Std);
        // (B, S) waveforms → (B, 1, F, T) log-mel normalised with the training split's stats (SPEC §6 step 1).
        Tensor ToLogMel(Tensor wav) => frontEnd.forward(wav).sub(mean).div(std).unsqueeze(1);

        var labelSets = ProbeProtocol.LabelSets(metadata);
        var hot = new float[files.Count, metadata.Classes.Count];
        for (int i = 0; i < files.Count; i++) foreach (var c in labelSets[i]) hot[i, c] = 1;
        using var targets = tensor(hot).to(device);
        using var classOf = tensor(labelSets.Select(l => l[0]).ToArray()).to(device);
        var weightsSha = ClassifierFile.Sha256Of(eval.Weights);
        Directory.CreateDirectory(options.ResolvedCheckpointDir);
        int featureD = 0;

        // One fine-tuning from the starting weights on a partition's rows; `use` sees the model, and the training clips per
        // second of its steps (validation not counted), before it is freed.
        void Tune(ProbePartition part, int run, string name, Action<FinetunedModel, double> use)
        {
            using var loaded = EncoderLoader.Load(eval.Weights, device);
            featureD = loaded.Encoder.FeatureD;
            using var scope = NewDisposeScope();
            Tensor Pick(Tensor t, long[] rows) => t.index_select(0, tensor(rows).to(device));
            bool validated = part.Valid.Length > 0;
            var checkpoint = new FinetuneCheckpoint(Path.Combine(options.ResolvedCheckpointDir, name.Replace(' ', '-') + ".pth"), options.Resume,
                options.Fingerprint(run, part.Fold, files.Count, weightsSha));
            double samples = 0, seconds = 0;
            FinetunedModel tuned;
            // The progress task ends before the run's own lines are written.
            using (var epochs = progress.Start($"fine-tuning {name}", recipe.Epochs))
                tuned = FinetuneTrainer.Train(loaded.Encoder, ToLogMel, Pick(all, part.Train), Pick(targets, part.Train),
                    validated ? Pick(all, part.Valid) : null, validated ? (multiLabel ? Pick(targets, part.Valid) : Pick(classOf, part.Valid)) : null,
                    recipe, multiLabel, eval.Seed + run,
                    e =>
                    {
                        (samples, seconds) = (samples + e.Samples, seconds + e.Seconds);
                        epochs.Advance(1, $"epoch {e.Epoch}/{recipe.Epochs}: loss {e.Loss:0.0000}" +
                                          (double.IsNaN(e.ValidScore) ? "" : $", valid {Shown(e.ValidScore)}") + $", {e.SamplesPerSecond:0.0} clips/s");
                    },
                    ct, checkpoint, precision, progress.Message);
            using (tuned) use(tuned, seconds > 0 ? samples / seconds : 0);
        }

        var runs = new List<ProbeRun>();
        string? savedPath = null;
        for (int run = 0; run < eval.Repeat; run++)
        {
            int seed = eval.Seed + run;
            var partitions = ProbeProtocol.Partitions(metadata, labelSets, seed, holdOut: true);
            if (run == 0 && metadata.HasFolds)
                progress.Message($"validation: for each fold left out, a seeded {ProbeProtocol.ValidFraction * 100:0}% of the other folds' clips is held out to pick the best epoch");
            else if (run == 0 && !metadata.Rows.Any(r => r.Split == Splits.Valid))
                progress.Message($"validation: no valid split, so each run holds out a seeded {ProbeProtocol.ValidFraction * 100:0}% of the training clips");
            var probabilities = new float[files.Count, metadata.Classes.Count];
            var scores = new List<double>();
            foreach (var part in partitions)
            {
                ct.ThrowIfCancellationRequested();
                string name = part.Fold is { } fold ? $"run{run} fold{fold}" : $"run{run}";
                Tune(part, run, name, (tuned, rate) =>
                {
                    ProbeProtocol.Fill(probabilities, part.Test, ProbeTrainer.ToArray(tuned.Probabilities(ToLogMel, all.index_select(0, tensor(part.Test).to(device)))));
                    scores.Add(ProbeProtocol.Score(probabilities, part.Test, labelSets, multiLabel));
                    progress.Message($"{name}: test {Shown(scores[^1])} (best validation epoch {tuned.BestEpoch}, valid {tuned.ValidScore * 100:0.00}; " +
                                     $"{rate:0.0} training clips/s)");
                    // The classifier kept is run 0's; a fold task keeps one trained on every fold instead (below).
                    if (run == 0 && part.Fold == null && eval.SaveModel != null)
                    {
                        Save(eval, metadata, tuned, stats, unitSec, config, model, $"fine-tuning run 0 of {task} (seed {seed})", scores[^1]);
                        savedPath = eval.SaveModel;
                    }
                });
            }
            runs.Add(ProbeProtocol.Collect(metadata, labelSets, probabilities, scores));
            if (metadata.HasFolds) progress.Message($"run {run}: test {Shown(runs[^1].Score)} (mean over {partitions.Count} folds)");
        }
        if (metadata.HasFolds && eval.SaveModel != null)
        {
            // As evaluate does: the folds give the score; the classifier to keep learns from every fold.
            Tune(ProbeProtocol.Everything(metadata, labelSets, eval.Seed, holdOut: true), 0, "every fold", (tuned, _) =>
                Save(eval, metadata, tuned, stats, unitSec, config, model,
                    $"every fold of {task} (a seeded {ProbeProtocol.ValidFraction * 100:0}% held out for the best epoch), seed {eval.Seed}", null));
            progress.Message("saved classifier: fine-tuned on every fold; it has no test score of its own (the score above is the mean over held-out folds)");
            savedPath = eval.SaveModel;
        }
        return EvaluationReport.Write(eval, metadata, runs, model, recipe.HeadName, Mode, featureD, fromCache: false, progress) with { SavedModelPath = savedPath };
    }

    /// <summary>
    /// Writes the fine-tuned model in evaluate's classifier format: the fine-tuned encoder's weights (written to a
    /// temporary .pth first, since the format copies an encoder file), the stats, the fixed scaler and the head.
    /// </summary>
    static void Save(EvaluateOptions eval, TaskMetadata metadata, FinetunedModel model, NormStats stats, double unitSec,
        Configuration.ByolAConfig config, string modelName, string trainedOn, double? testScore)
    {
        var encoderPath = AtomicFile.TempPath(Path.GetFullPath(eval.SaveModel!), "encoder") + ".pth";
        try
        {
            EncoderWeights.Save(model.Encoder.Module, encoderPath);
            LinearEvaluation.SaveClassifier(eval, metadata, model.Scaler, model.Head, model.Hidden, stats, unitSec, config, modelName, trainedOn,
                testScore, encoderPath, Path.GetFullPath(eval.Weights) + $" fine-tuned on {eval.TaskName}");
        }
        finally
        {
            File.Delete(encoderPath);
        }
    }
}
