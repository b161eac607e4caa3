using ByolA.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Probe;

/// <summary>
/// The evaluation protocol around <see cref="ProbeTrainer"/> (SPEC §6.3-6.4) on precomputed embeddings: for split
/// tasks train on train, stop early on valid, score on test; for fold tasks leave each fold out in turn (its clips
/// are the test set, a seeded 10% of the other folds that holds every class is the validation set) and average.
/// Single-label tasks score accuracy; multi-label tasks (SPEC §9) score mAP, with per-class AP and ROC AUC.
/// </summary>
internal static class ProbeProtocol
{
    /// <summary>Fraction of the training pool held out for validation when the task has no valid split.</summary>
    public const double ValidFraction = 0.1;

    /// <summary>
    /// Throws <see cref="ByolAException"/> when the task has a single class, or when a class appears in a test set but
    /// not in its training data (such clips could never be classified correctly, so the score would be meaningless).
    /// Multi-label rows count for each of their labels.
    /// </summary>
    public static void CheckClasses(TaskMetadata metadata)
    {
        string where = metadata.Source ?? "metadata";
        if (metadata.Classes.Count < 2)
            throw new ByolAException($"{where}: every row has the label '{metadata.Classes[0]}'; a probe needs at least two classes to tell apart");
        IEnumerable<string> LabelsWhere(Func<MetadataRow, bool> keep) =>
            metadata.Rows.SelectMany((r, i) => keep(r) ? metadata.LabelsOf(i) : []);
        if (metadata.HasFolds)
        {
            if (metadata.Folds.Count < 2) throw new ByolAException($"{where}: leave-one-fold-out needs at least two folds (found {metadata.Folds.Count})");
            foreach (var fold in metadata.Folds)
            {
                var train = LabelsWhere(r => r.Fold != fold).ToHashSet();
                var lost = LabelsWhere(r => r.Fold == fold).Where(l => !train.Contains(l)).Distinct().ToList();
                if (lost.Count > 0)
                    throw new ByolAException($"{where}: class '{lost[0]}' appears only in fold {fold}, so it is never in the training folds when fold {fold} is tested; put its clips in several folds");
            }
            return;
        }
        var trainLabels = LabelsWhere(r => r.Split == Splits.Train).ToHashSet();
        if (trainLabels.Count == 0) throw new ByolAException($"{where}: no train rows");
        if (!metadata.Rows.Any(r => r.Split == Splits.Test)) throw new ByolAException($"{where}: no test rows");
        var missing = LabelsWhere(r => r.Split != Splits.Train).Where(l => !trainLabels.Contains(l)).Distinct().ToList();
        if (missing.Count > 0)
        {
            bool inTest = LabelsWhere(r => r.Split == Splits.Test).Contains(missing[0]);
            throw new ByolAException($"{where}: class '{missing[0]}' appears in the {(inTest ? "test" : "valid")} split but not in train" +
                                     (missing.Count > 1 ? $" (and {missing.Count - 1} more)" : "") +
                                     $"; every {(inTest ? "test" : "validation")} class needs training clips — move some of its clips to train or drop them");
        }
    }

    /// <summary>
    /// Test score of one run: accuracy, or mAP for a multi-label task (see <see cref="Run"/>).
    /// <paramref name="predictions"/>, when given (length N), receives the predicted class index of every test row.
    /// </summary>
    public static double Evaluate(TaskMetadata metadata, Tensor embeddings, ProbeOptions options, int seed,
        Device? device = null, CancellationToken ct = default, Action<double>? onTrained = null, long[]? predictions = null)
    {
        var run = Run(metadata, embeddings, options, seed, device, ct, onTrained);
        if (predictions != null)
            foreach (var i in run.TestRows) predictions[i] = run.Predictions[i];
        return run.Score;
    }

    /// <summary>
    /// One run of the protocol: <paramref name="embeddings"/> (N, d) are the rows of <paramref name="metadata"/> in
    /// order. Class indices follow <see cref="TaskMetadata.Classes"/>. Everything random derives from
    /// <paramref name="seed"/>. Tensors are moved to <paramref name="device"/> once. <paramref name="onTrained"/> is
    /// called with the test score after each classifier (once for split tasks, once per fold otherwise). The result
    /// holds every test row's class probabilities (every row for fold tasks, each from the classifier that did not see
    /// its fold). <paramref name="keep"/>, when given, receives the classifier of a split task (the caller disposes it).
    /// </summary>
    public static ProbeRun Run(TaskMetadata metadata, Tensor embeddings, ProbeOptions options, int seed,
        Device? device = null, CancellationToken ct = default, Action<double>? onTrained = null, Action<ProbeClassifier>? keep = null)
    {
        if (embeddings.dim() != 2 || embeddings.shape[0] != metadata.Rows.Count)
            throw new ArgumentException($"embeddings must be ({metadata.Rows.Count}, d), got ({string.Join(", ", embeddings.shape)})");
        CheckClasses(metadata);
        var classes = metadata.Classes;
        var labelSets = LabelSets(metadata);
        using var scope = NewDisposeScope();
        var x = embeddings.to(ScalarType.Float32, device ?? embeddings.device);
        var y = Targets(metadata.MultiLabel, labelSets, classes.Count, x.device);
        var probabilities = new float[metadata.Rows.Count, classes.Count];
        var scores = new List<double>();
        foreach (var part in Partitions(metadata, labelSets, seed, options.EarlyStopping))
        {
            scores.Add(TrainAndScore(x, y, part, classes.Count, options, seed, ct, probabilities, metadata, labelSets, part.Fold == null ? keep : null));
            onTrained?.Invoke(scores[^1]);
        }
        return Collect(metadata, labelSets, probabilities, scores);
    }

    /// <summary>Every row's class indices in <see cref="TaskMetadata.Classes"/> order ([row] → one index, or several when multi-label).</summary>
    public static long[][] LabelSets(TaskMetadata metadata)
    {
        var index = metadata.Classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        return Enumerable.Range(0, metadata.Rows.Count).Select(i => metadata.LabelsOf(i).Select(l => (long)index[l]).ToArray()).ToArray();
    }

    /// <summary>
    /// The classifiers one run of the protocol trains, in order: for a split task one (train, valid, test); for a fold
    /// task one per fold left out. With <paramref name="holdOut"/>, a split task without a valid split and every fold
    /// hold out a <see cref="ValidFraction"/> of their training rows (drawn from <paramref name="seed"/>, and the fold).
    /// </summary>
    public static IReadOnlyList<ProbePartition> Partitions(TaskMetadata metadata, long[][] labelSets, int seed, bool holdOut)
    {
        var labels = labelSets.Select(l => l[0]).ToArray();
        (long[], long[]) Split(long[] pool, Random rng) =>
            !holdOut ? (pool, []) : metadata.MultiLabel ? HoldOutMultiLabel(pool, labelSets, rng) : HoldOut(pool, labels, rng);
        if (!metadata.HasFolds)
        {
            var train = Rows(metadata, r => r.Split == Splits.Train);
            var valid = Rows(metadata, r => r.Split == Splits.Valid);
            if (valid.Length == 0) (train, valid) = Split(train, new Random(seed));
            return [new ProbePartition(null, train, valid, Rows(metadata, r => r.Split == Splits.Test))];
        }
        return metadata.Folds.Select(fold =>
        {
            var (train, valid) = Split(Rows(metadata, r => r.Fold != fold), new Random(unchecked(seed * 7919 + fold)));
            return new ProbePartition(fold, train, valid, Rows(metadata, r => r.Fold == fold));
        }).ToList();
    }

    /// <summary>
    /// The partition a fold task's kept classifier learns from: every row, with a seeded <see cref="ValidFraction"/>
    /// held out when <paramref name="holdOut"/>; no test rows (its score is the folds' mean).
    /// </summary>
    public static ProbePartition Everything(TaskMetadata metadata, long[][] labelSets, int seed, bool holdOut)
    {
        long[] pool = [.. Enumerable.Range(0, metadata.Rows.Count).Select(i => (long)i)];
        var rng = new Random(unchecked(seed * 7919));
        var (train, valid) = !holdOut ? (pool, [])
            : metadata.MultiLabel ? HoldOutMultiLabel(pool, labelSets, rng) : HoldOut(pool, labelSets.Select(l => l[0]).ToArray(), rng);
        return new ProbePartition(null, train, valid, []);
    }

    /// <summary>
    /// The test score of one classifier from its class probabilities [row, class] (rows of the metadata; only
    /// <paramref name="test"/>'s are read): accuracy of the top class, or mAP (0 when no class has a positive).
    /// </summary>
    public static double Score(float[,] probabilities, long[] test, long[][] labelSets, bool multiLabel)
    {
        if (!multiLabel) return test.Count(i => Top(probabilities, i) == labelSets[i][0]) / (double)test.Length;
        var (scores, targets) = TestArrays(probabilities, test, labelSets);
        var mAP = RankingMetrics.Compute(scores, targets).MeanAveragePrecision;
        return double.IsNaN(mAP) ? 0 : mAP;
    }

    /// <summary>
    /// A run from its classifiers' scores (the run's score is their mean) and the probabilities [row, class] each test
    /// row got from the classifier that did not see it: predictions and, when multi-label, per-class AP and AUC.
    /// </summary>
    public static ProbeRun Collect(TaskMetadata metadata, long[][] labelSets, float[,] probabilities, IReadOnlyList<double> scores)
    {
        var testRows = Rows(metadata, r => metadata.HasFolds || r.Split == Splits.Test);
        var predictions = new long[metadata.Rows.Count];
        for (int i = 0; i < predictions.Length; i++) predictions[i] = Top(probabilities, i);
        MultiLabelScores? perClass = null;
        if (metadata.MultiLabel)
        {
            var (testScores, testTargets) = TestArrays(probabilities, testRows, labelSets);
            perClass = RankingMetrics.Compute(testScores, testTargets);
        }
        return new ProbeRun(scores.Average(), metadata.MultiLabel, testRows, predictions, probabilities, perClass);
    }

    /// <summary>The first class with the highest probability in row <paramref name="row"/>.</summary>
    static int Top(float[,] probabilities, long row)
    {
        int best = 0;
        for (int c = 1; c < probabilities.GetLength(1); c++) if (probabilities[row, c] > probabilities[row, best]) best = c;
        return best;
    }

    /// <summary>The test rows' probabilities and multi-hot truth, [test row, class].</summary>
    static (float[,] Scores, bool[,] Targets) TestArrays(float[,] probabilities, long[] test, long[][] labelSets)
    {
        int classes = probabilities.GetLength(1);
        var (scores, targets) = (new float[test.Length, classes], new bool[test.Length, classes]);
        for (int t = 0; t < test.Length; t++)
        {
            for (int c = 0; c < classes; c++) scores[t, c] = probabilities[test[t], c];
            foreach (var c in labelSets[test[t]]) targets[t, c] = true;
        }
        return (scores, targets);
    }

    /// <summary>
    /// A classifier trained on every row of a fold task (all folds; a seeded <see cref="ValidFraction"/> held out for
    /// early stopping as for a fold), to keep after the leave-one-fold-out scores are known. The caller disposes it.
    /// </summary>
    public static ProbeClassifier TrainOnAll(TaskMetadata metadata, Tensor embeddings, ProbeOptions options, int seed, CancellationToken ct = default)
    {
        var labelSets = LabelSets(metadata);
        using var scope = NewDisposeScope();
        var x = embeddings.to(ScalarType.Float32);
        var y = Targets(metadata.MultiLabel, labelSets, metadata.Classes.Count, x.device);
        var part = Everything(metadata, labelSets, seed, options.EarlyStopping);
        if (options.EarlyStopping && part.Valid.Length == 0) options = options with { EarlyStopping = false };
        Tensor Pick(Tensor t, long[] rows) => t.index_select(0, tensor(rows).to(t.device));
        return ProbeTrainer.Train(Pick(x, part.Train), Pick(y, part.Train), part.Valid.Length > 0 ? Pick(x, part.Valid) : null,
            part.Valid.Length > 0 ? Pick(y, part.Valid) : null, metadata.Classes.Count, options, seed, ct);
    }

    /// <summary>(N) class indices, or (N, C) multi-hot targets, on <paramref name="device"/>.</summary>
    static Tensor Targets(bool multiLabel, long[][] labelSets, int classes, Device device)
    {
        int n = labelSets.Length;
        if (!multiLabel) return tensor(labelSets.Select(l => l[0]).ToArray()).to(device);
        var hot = new float[n * classes];
        for (int i = 0; i < n; i++) foreach (var c in labelSets[i]) hot[i * classes + c] = 1;
        return tensor(hot, [n, classes]).to(device);
    }

    static double TrainAndScore(Tensor x, Tensor y, ProbePartition part, int classes, ProbeOptions options, int seed, CancellationToken ct,
        float[,] probabilities, TaskMetadata metadata, long[][] labelSets, Action<ProbeClassifier>? keep)
    {
        // No class has a second training clip to hold out: train all epochs instead (LinearEvaluation says so).
        if (options.EarlyStopping && part.Valid.Length == 0) options = options with { EarlyStopping = false };
        using var scope = NewDisposeScope();
        Tensor Pick(Tensor t, long[] rows) => t.index_select(0, tensor(rows).to(t.device));
        var xValid = part.Valid.Length > 0 ? Pick(x, part.Valid) : null;
        var yValid = part.Valid.Length > 0 ? Pick(y, part.Valid) : null;
        var probe = ProbeTrainer.Train(Pick(x, part.Train), Pick(y, part.Train), xValid, yValid, classes, options, seed, ct);
        try
        {
            Fill(probabilities, part.Test, ProbeTrainer.ToArray(probe.Probabilities(Pick(x, part.Test))));
        }
        catch
        {
            probe.Dispose();
            throw;
        }
        if (keep != null) keep(probe);
        else probe.Dispose();
        return Score(probabilities, part.Test, labelSets, metadata.MultiLabel);
    }

    /// <summary>Writes the test rows' probabilities [test row, class] into the run's [row, class].</summary>
    public static void Fill(float[,] probabilities, long[] test, float[,] tested)
    {
        for (int i = 0; i < test.Length; i++)
            for (int c = 0; c < tested.GetLength(1); c++) probabilities[test[i], c] = tested[i, c];
    }

    static long[] Rows(TaskMetadata metadata, Func<MetadataRow, bool> keep) =>
        metadata.Rows.Select((r, i) => (r, i)).Where(p => keep(p.r)).Select(p => (long)p.i).ToArray();

    /// <summary>Whether <see cref="HoldOut"/> can hold out anything from these rows: some class has at least two of them.</summary>
    public static bool CanHoldOut(IEnumerable<MetadataRow> pool) => pool.GroupBy(r => r.Label).Any(g => g.Count() >= 2);

    /// <summary>
    /// Splits <paramref name="pool"/> into train and a random <see cref="ValidFraction"/> validation part that holds
    /// every class with at least two clips in the pool (redrawn until it does, then topped up one clip per missing
    /// class); a class's only clip always stays in train.
    /// </summary>
    internal static (long[] Train, long[] Valid) HoldOut(long[] pool, long[] labels, Random rng)
    {
        int take = Math.Max(1, (int)Math.Round(pool.Length * ValidFraction));
        var counts = pool.GroupBy(i => labels[i]).ToDictionary(g => g.Key, g => g.Count());
        var needed = counts.Where(c => c.Value >= 2).Select(c => c.Key).ToHashSet();
        long[] shuffled = [];
        HashSet<long> valid = [];
        for (int attempt = 0; attempt < 100; attempt++)
        {
            shuffled = (long[])pool.Clone();
            rng.Shuffle(shuffled);
            valid = shuffled.Take(take).Where(i => counts[labels[i]] >= 2).ToHashSet();
            if (needed.All(c => valid.Any(i => labels[i] == c))) break;
        }
        foreach (var c in needed.Where(c => !valid.Any(i => labels[i] == c)).ToList())
            valid.Add(shuffled.First(i => labels[i] == c));
        // A class must keep at least one training clip.
        foreach (var c in needed.Where(c => pool.All(i => labels[i] != c || valid.Contains(i))).ToList())
            valid.Remove(valid.First(i => labels[i] == c));
        return (pool.Where(i => !valid.Contains(i)).ToArray(), pool.Where(valid.Contains).ToArray());
    }

    /// <summary>
    /// Multi-label <see cref="HoldOut"/>: a random <see cref="ValidFraction"/> of <paramref name="pool"/>, topped up so
    /// every class with at least two clips in the pool has a validation clip where possible, and trimmed so no class
    /// loses its last training clip.
    /// </summary>
    internal static (long[] Train, long[] Valid) HoldOutMultiLabel(long[] pool, long[][] labelSets, Random rng)
    {
        int take = Math.Max(1, (int)Math.Round(pool.Length * ValidFraction));
        var shuffled = (long[])pool.Clone();
        rng.Shuffle(shuffled);
        var counts = new Dictionary<long, int>();
        foreach (var i in pool) foreach (var c in labelSets[i]) counts[c] = counts.GetValueOrDefault(c) + 1;
        var valid = shuffled.Take(take).ToHashSet();
        var covered = valid.SelectMany(i => labelSets[i]).ToHashSet();
        foreach (var c in counts.Where(p => p.Value >= 2).Select(p => p.Key).Order())
            if (!covered.Contains(c) && shuffled.FirstOrDefault(i => !valid.Contains(i) && labelSets[i].Contains(c), -1) is var add && add >= 0)
            {
                valid.Add(add);
                covered.UnionWith(labelSets[add]);
            }
        // Every class keeps a training clip: give back validation clips holding a class that has none left in train.
        var inTrain = new Dictionary<long, int>(counts);
        foreach (var i in valid) foreach (var c in labelSets[i]) inTrain[c]--;
        foreach (var i in shuffled.Where(valid.Contains).ToList())
            if (labelSets[i].Any(c => inTrain[c] == 0))
            {
                valid.Remove(i);
                foreach (var c in labelSets[i]) inTrain[c]++;
            }
        return (pool.Where(i => !valid.Contains(i)).ToArray(), pool.Where(valid.Contains).ToArray());
    }
}
