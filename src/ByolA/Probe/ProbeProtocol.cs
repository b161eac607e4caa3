using ByolA.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Probe;

/// <summary>
/// The evaluation protocol around <see cref="LinearProbe"/> (SPEC §6.3-6.4) on precomputed embeddings: for split
/// tasks train on train, stop early on valid, score on test; for fold tasks leave each fold out in turn (its clips
/// are the test set, a seeded 10% of the other folds that holds every class is the validation set) and average.
/// </summary>
internal static class ProbeProtocol
{
    /// <summary>Fraction of the training pool held out for validation when the task has no valid split.</summary>
    public const double ValidFraction = 0.1;

    /// <summary>
    /// Throws <see cref="ByolAException"/> when the task has a single class, or when a class appears in a test set but
    /// not in its training data (such clips could never be classified correctly, so the accuracy would be meaningless).
    /// </summary>
    public static void CheckClasses(TaskMetadata metadata)
    {
        string where = metadata.Source ?? "metadata";
        if (metadata.Classes.Count < 2)
            throw new ByolAException($"{where}: every row has the label '{metadata.Classes[0]}'; a linear probe needs at least two classes to tell apart");
        if (metadata.HasFolds)
        {
            if (metadata.Folds.Count < 2) throw new ByolAException($"{where}: leave-one-fold-out needs at least two folds (found {metadata.Folds.Count})");
            foreach (var fold in metadata.Folds)
            {
                var train = metadata.Rows.Where(r => r.Fold != fold).Select(r => r.Label).ToHashSet();
                var lost = metadata.Rows.Where(r => r.Fold == fold && !train.Contains(r.Label)).Select(r => r.Label).Distinct().ToList();
                if (lost.Count > 0)
                    throw new ByolAException($"{where}: class '{lost[0]}' appears only in fold {fold}, so it is never in the training folds when fold {fold} is tested; put its clips in several folds");
            }
            return;
        }
        var trainLabels = metadata.Rows.Where(r => r.Split == Splits.Train).Select(r => r.Label).ToHashSet();
        if (trainLabels.Count == 0) throw new ByolAException($"{where}: no train rows");
        if (!metadata.Rows.Any(r => r.Split == Splits.Test)) throw new ByolAException($"{where}: no test rows");
        var missing = metadata.Rows.Where(r => r.Split == Splits.Test && !trainLabels.Contains(r.Label)).Select(r => r.Label).Distinct().ToList();
        if (missing.Count > 0)
            throw new ByolAException($"{where}: class '{missing[0]}' appears in the test split but not in train" +
                                     (missing.Count > 1 ? $" (and {missing.Count - 1} more)" : "") + "; every test class needs training clips");
    }

    /// <summary>
    /// Test accuracy of one run: <paramref name="embeddings"/> (N, d) are the rows of <paramref name="metadata"/> in
    /// order. Class indices follow <see cref="TaskMetadata.Classes"/>. Everything random derives from
    /// <paramref name="seed"/>. Tensors are moved to <paramref name="device"/> once. <paramref name="onTrained"/> is
    /// called with the test accuracy after each classifier (once for split tasks, once per fold otherwise).
    /// <paramref name="predictions"/>, when given (length N), receives the predicted class index of every test row
    /// (every row for fold tasks, each predicted by the classifier that did not see its fold); other entries are
    /// left as they are.
    /// </summary>
    public static double Evaluate(TaskMetadata metadata, Tensor embeddings, ProbeOptions options, int seed,
        Device? device = null, CancellationToken ct = default, Action<double>? onTrained = null, long[]? predictions = null)
    {
        if (embeddings.dim() != 2 || embeddings.shape[0] != metadata.Rows.Count)
            throw new ArgumentException($"embeddings must be ({metadata.Rows.Count}, d), got ({string.Join(", ", embeddings.shape)})");
        CheckClasses(metadata);
        var classes = metadata.Classes;
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        var labels = metadata.Rows.Select(r => (long)index[r.Label]).ToArray();
        using var scope = NewDisposeScope();
        var x = embeddings.to(ScalarType.Float32, device ?? embeddings.device);
        var y = tensor(labels).to(x.device);

        if (!metadata.HasFolds)
        {
            var train = Rows(metadata, r => r.Split == Splits.Train);
            var valid = Rows(metadata, r => r.Split == Splits.Valid);
            var test = Rows(metadata, r => r.Split == Splits.Test);
            if (options.EarlyStopping && valid.Length == 0)
                (train, valid) = HoldOut(train, labels, new Random(seed));
            double accuracy = TrainAndScore(x, y, train, valid, test, classes.Count, options, seed, ct, predictions);
            onTrained?.Invoke(accuracy);
            return accuracy;
        }

        double sum = 0;
        var folds = metadata.Folds;
        foreach (var fold in folds)
        {
            var pool = Rows(metadata, r => r.Fold != fold);
            var test = Rows(metadata, r => r.Fold == fold);
            var (train, valid) = options.EarlyStopping ? HoldOut(pool, labels, new Random(unchecked(seed * 7919 + fold))) : (pool, []);
            double accuracy = TrainAndScore(x, y, train, valid, test, classes.Count, options, seed, ct, predictions);
            onTrained?.Invoke(accuracy);
            sum += accuracy;
        }
        return sum / folds.Count;
    }

    static double TrainAndScore(Tensor x, Tensor y, long[] train, long[] valid, long[] test, int classes,
        ProbeOptions options, int seed, CancellationToken ct, long[]? predictions)
    {
        // No class has a second training clip to hold out: train all epochs instead (LinearEvaluation says so).
        if (options.EarlyStopping && valid.Length == 0) options = options with { EarlyStopping = false };
        using var scope = NewDisposeScope();
        Tensor Pick(Tensor t, long[] rows) => t.index_select(0, tensor(rows).to(t.device));
        var xValid = valid.Length > 0 ? Pick(x, valid) : null;
        var yValid = valid.Length > 0 ? Pick(y, valid) : null;
        using var probe = LinearProbe.Train(Pick(x, train), Pick(y, train), xValid, yValid, classes, options, seed, ct);
        var xTest = Pick(x, test);
        if (predictions != null)
        {
            var predicted = probe.Predict(xTest).cpu().data<long>().ToArray();
            for (int i = 0; i < test.Length; i++) predictions[test[i]] = predicted[i];
        }
        return probe.Accuracy(xTest, Pick(y, test));
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
}
