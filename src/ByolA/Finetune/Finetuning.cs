using ByolA.Audio;
using ByolA.Data;
using ByolA.Probe;
using ByolA.Progress;
using ByolA.Reports;
using ByolA.Tasks;
using ByolA.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Finetune;

/// <summary>
/// <c>byola finetune</c> as a library call (SPEC §10): read and check the task as evaluate does, compute the
/// normalisation stats on the training clips, read every clip once (waveforms on the device), then per run load the
/// encoder, fine-tune it with its head (<see cref="FinetuneTrainer"/>), keep the best validation epoch and score the
/// test split; append to RESULTS/TASK-scores.csv with the model named <c>MODEL finetune</c>, write the per-class CSV,
/// the confusion picture and, when asked, the classifier file evaluate writes.
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
        var device = eval.Device ?? CPU;
        var task = eval.TaskName;
        var metadataPath = eval.ResolvedMetadataPath;
        if (eval.KnownTask != null && !File.Exists(metadataPath))
            throw new ByolAException($"{metadataPath}: not found; run 'byola preprocess {task} DATASET_ROOT' first");
        var metadata = TaskMetadata.Read(metadataPath);
        ProbeProtocol.CheckClasses(metadata);
        if (metadata.HasFolds)
            throw new ByolAException($"{metadataPath}: a leave-one-fold-out task; fine-tuning supports train/valid/test splits so far — " +
                                     "give a metadata CSV with a split column");
        var files = LinearEvaluation.CheckAudio(metadata, eval.ResolvedAudioDir);
        foreach (var warning in metadata.Warnings(files)) progress.Message("warning: " + warning);
        string? resultsPath = eval.ResultsDir != null ? Path.Combine(eval.ResultsDir, $"{task}-scores.csv") : null;
        if (resultsPath != null)
        {
            ScoresCsv.Check(resultsPath);
            AtomicFile.CheckWritable(resultsPath);
        }
        double unitSec = eval.ResolvedUnitSec;
        var config = eval.Config with { UnitSec = unitSec };
        string model = $"{eval.ResolvedModelName} {Mode}";
        bool multiLabel = metadata.MultiLabel;
        progress.Message($"{task}: {metadata.Rows.Count} clips, {metadata.Classes.Count} classes, unit {unitSec:0.###} s; " +
                         $"fine-tuning {(options.FreezeEncoder ? "the head only" : "encoder and head")} with {options.Optimizer.ToString().ToLowerInvariant()}, " +
                         $"{options.Epochs} epochs, batch {options.BatchSize}");

        // Every clip is read once and kept on the device; a task too big for one array is refused before any work.
        if ((long)files.Count * config.UnitSamples > Array.MaxLength)
            throw new ByolAException($"{metadataPath}: {files.Count} clips of {config.UnitSamples} samples do not fit one array; fine-tuning keeps every " +
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

        var index = metadata.Classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        var labelSets = Enumerable.Range(0, files.Count).Select(i => metadata.LabelsOf(i).Select(l => (long)index[l]).ToArray()).ToArray();
        var hot = new float[files.Count, metadata.Classes.Count];
        for (int i = 0; i < files.Count; i++) foreach (var c in labelSets[i]) hot[i, c] = 1;
        using var targets = tensor(hot).to(device);
        using var classOf = tensor(labelSets.Select(l => l[0]).ToArray()).to(device);
        long[] Rows(string split) => metadata.Rows.Select((r, i) => (r, i)).Where(p => p.r.Split == split).Select(p => (long)p.i).ToArray();
        var test = Rows(Splits.Test);

        var weightsSha = ClassifierFile.Sha256Of(eval.Weights);
        Directory.CreateDirectory(options.ResolvedCheckpointDir);
        var scores = new List<double>();
        var aucs = new List<double>();
        var predictionRuns = new List<long[]>();
        var ranking = new List<MultiLabelScores>();
        string? savedPath = null;
        for (int run = 0; run < eval.Repeat; run++)
        {
            int seed = eval.Seed + run;
            var train = Rows(Splits.Train);
            var valid = Rows(Splits.Valid);
            if (valid.Length == 0)
            {
                (train, valid) = multiLabel ? ProbeProtocol.HoldOutMultiLabel(train, labelSets, new Random(seed))
                                            : ProbeProtocol.HoldOut(train, labelSets.Select(l => l[0]).ToArray(), new Random(seed));
                if (run == 0) progress.Message($"validation: no valid split, so each run holds out a seeded {ProbeProtocol.ValidFraction:P0} of the training clips");
            }
            using var loaded = EncoderLoader.Load(eval.Weights, device);
            using var scope = NewDisposeScope();
            Tensor Pick(Tensor t, long[] rows) => t.index_select(0, tensor(rows).to(device));
            using var epochs = progress.Start($"fine-tuning run {run}", options.Epochs);
            using var model_ = FinetuneTrainer.Train(loaded.Encoder, ToLogMel, Pick(all, train), Pick(targets, train),
                valid.Length > 0 ? Pick(all, valid) : null, valid.Length > 0 ? (multiLabel ? Pick(targets, valid) : Pick(classOf, valid)) : null,
                options.Recipe, multiLabel, seed,
                (e, s) => epochs.Advance(1, double.IsNaN(s) ? $"epoch {e}" : $"epoch {e}: valid {(multiLabel ? "mAP" : "accuracy")} {s * 100:0.00}"), ct,
                new FinetuneCheckpoint(Path.Combine(options.ResolvedCheckpointDir, $"run{run}.pth"), options.Resume,
                    options.Fingerprint(run, files.Count, weightsSha)));
            var probabilities = ProbeTrainer.ToArray(model_.Probabilities(ToLogMel, Pick(all, test)));
            var predictions = new long[files.Count];
            double score;
            if (multiLabel)
            {
                var truth = new bool[test.Length, metadata.Classes.Count];
                for (int t = 0; t < test.Length; t++) foreach (var c in labelSets[test[t]]) truth[t, c] = true;
                var perClass = RankingMetrics.Compute(probabilities, truth);
                ranking.Add(perClass);
                score = perClass.MeanAveragePrecision;
                aucs.Add(perClass.MeanAuc);
            }
            else
            {
                int hits = 0;
                for (int t = 0; t < test.Length; t++)
                {
                    int best = 0;
                    for (int c = 1; c < metadata.Classes.Count; c++) if (probabilities[t, c] > probabilities[t, best]) best = c;
                    predictions[test[t]] = best;
                    if (best == labelSets[test[t]][0]) hits++;
                }
                score = (double)hits / test.Length;
            }
            predictionRuns.Add(predictions);
            scores.Add(score);
            progress.Message($"run {run}: test {(multiLabel ? "mAP" : "accuracy")} {score * 100:0.00} (best validation epoch {model_.BestEpoch}, " +
                             $"valid {model_.ValidScore * 100:0.00})");
            if (run == 0 && eval.SaveModel != null)
            {
                Save(eval, metadata, model_, stats, unitSec, config, model, seed, score);
                savedPath = eval.SaveModel;
            }
        }
        double avg = scores.Average();
        double sd = Math.Sqrt(scores.Sum(a => (a - avg) * (a - avg)) / scores.Count);
        string metric = multiLabel ? ScoresCsv.MeanAveragePrecision : ScoresCsv.Accuracy;
        var extra = new Dictionary<string, string> { [ScoresCsv.HeadColumn] = options.HeadName, [ScoresCsv.MetricColumn] = metric };
        if (multiLabel) extra[ScoresCsv.AucColumn] = ScoresCsv.Format(aucs.Average());
        if (resultsPath != null) ScoresCsv.Append(resultsPath, model, scores, avg, sd, extra);
        PerClassScores? perClassScores = null;
        PerClassRankingScores? perClassRanking = null;
        if (multiLabel)
        {
            var positives = new int[metadata.Classes.Count];
            foreach (var row in test) foreach (var c in labelSets[row]) positives[c]++;
            perClassRanking = new PerClassRankingScores(metadata.Classes, positives,
                ranking.Select(r => r.AveragePrecision).ToList(), ranking.Select(r => r.Auc).ToList());
        }
        else perClassScores = PerClassScores.Compute(metadata, predictionRuns);
        string? perClassPath = null, confusionPath = null;
        if (eval.ResultsDir != null)
        {
            perClassPath = Path.Combine(eval.ResultsDir, $"{task}-{Mode}-per-class.csv");
            if (perClassRanking != null) perClassRanking.WriteCsv(perClassPath);
            else
            {
                perClassScores!.WriteCsv(perClassPath);
                confusionPath = Path.Combine(eval.ResultsDir, $"{task}-{Mode}-confusion.png");
                ConfusionMatrixPlot.Write(perClassScores, $"{task}: {model}", confusionPath);
            }
        }
        return new EvaluationResult(task, model, unitSec, scores, avg, sd, metadata.Rows.Count, metadata.Classes.Count, 0, false, resultsPath)
        {
            Head = options.HeadName,
            Metric = metric,
            Aucs = aucs,
            PerClass = perClassScores,
            PerClassRanking = perClassRanking,
            PerClassPath = perClassPath,
            ConfusionPath = confusionPath,
            SavedModelPath = savedPath,
        };
    }

    /// <summary>
    /// Writes the fine-tuned model in evaluate's classifier format: the fine-tuned encoder's weights (written to a
    /// temporary .pth first, since the format copies an encoder file), the stats, the fixed scaler and the head.
    /// </summary>
    static void Save(EvaluateOptions eval, TaskMetadata metadata, FinetunedModel model, NormStats stats, double unitSec,
        Configuration.ByolAConfig config, string modelName, int seed, double testScore)
    {
        var encoderPath = AtomicFile.TempPath(Path.GetFullPath(eval.SaveModel!), "encoder") + ".pth";
        try
        {
            EncoderWeights.Save(model.Encoder.Module, encoderPath);
            var sha = ClassifierFile.Sha256Of(encoderPath);
            var (scalerMean, scalerScale, layers) = ClassifierFile.Arrays(model.Scaler, model.Head);
            new ClassifierFile
            {
                Task = eval.TaskName,
                ModelName = modelName,
                MultiLabel = metadata.MultiLabel,
                Classes = metadata.Classes,
                UnitSec = unitSec,
                Stats = stats,
                StatsSha256 = sha,
                FrontEnd = config.FrontEnd,
                Hidden = model.Hidden,
                ScalerMean = scalerMean,
                ScalerScale = scalerScale,
                Layers = layers,
                EncoderEntry = "encoder.pth",
                EncoderSha256 = sha,
                EncoderSource = Path.GetFullPath(eval.Weights) + $" fine-tuned on {eval.TaskName}",
                TrainedOn = $"fine-tuning run 0 of {eval.TaskName} (seed {seed})",
                TestScore = testScore,
            }.Write(eval.SaveModel!, encoderPath);
        }
        finally
        {
            File.Delete(encoderPath);
        }
    }
}
