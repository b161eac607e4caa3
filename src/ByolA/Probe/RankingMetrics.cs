namespace ByolA.Probe;

/// <summary>
/// The multi-label test metrics of SPEC §9, on host arrays: average precision of one class (no interpolation, tied
/// scores form one threshold), ROC AUC of one class (ties count one half), and their macro means.
/// </summary>
internal static class RankingMetrics
{
    /// <summary>
    /// AP = Σₙ (Rₙ − Rₙ₋₁) · Pₙ over the distinct score thresholds, highest first (R₀ = 0): Pₙ and Rₙ are precision and
    /// recall when every clip scoring at least threshold n is called positive. NaN when no clip is positive.
    /// </summary>
    public static double AveragePrecision(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        Check(scores, positive);
        int positives = positive.Count(p => p);
        if (positives == 0) return double.NaN;
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        double ap = 0, previousRecall = 0;
        int truePositives = 0, called = 0;
        for (int i = 0; i < order.Length;)
        {
            // Every clip tied with this score is called positive together.
            int j = i;
            while (j < order.Length && scores[order[j]] == scores[order[i]])
            {
                if (positive[order[j]]) truePositives++;
                j++;
            }
            called = j;
            double recall = (double)truePositives / positives, precision = (double)truePositives / called;
            ap += (recall - previousRecall) * precision;
            previousRecall = recall;
            i = j;
        }
        return ap;
    }

    /// <summary>
    /// ROC AUC: the probability that a random positive clip scores above a random negative one, a tie counting one half
    /// (the Mann-Whitney statistic from average ranks). NaN without both a positive and a negative clip.
    /// </summary>
    public static double RocAuc(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        Check(scores, positive);
        long positives = positive.Count(p => p), negatives = scores.Count - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j < order.Length && scores[order[j]] == scores[order[i]]) j++;
            // Ranks i+1 … j share their average.
            double rank = (i + 1 + j) / 2.0;
            for (int t = i; t < j; t++) if (positive[order[t]]) rankSum += rank;
            i = j;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>
    /// Per-class AP and AUC of <paramref name="scores"/> [clip, class] against <paramref name="targets"/> [clip, class],
    /// and their macro means over the classes where each is defined (mAP: classes with a positive clip; AUC: classes
    /// with both). <see cref="MultiLabelScores.WithoutPositives"/> counts the classes left out of the mAP.
    /// </summary>
    public static MultiLabelScores Compute(float[,] scores, bool[,] targets)
    {
        int n = scores.GetLength(0), classes = scores.GetLength(1);
        if (targets.GetLength(0) != n || targets.GetLength(1) != classes)
            throw new ArgumentException($"scores ({n}, {classes}) and targets ({targets.GetLength(0)}, {targets.GetLength(1)}) differ in shape");
        var ap = new double[classes];
        var auc = new double[classes];
        var s = new double[n];
        var p = new bool[n];
        for (int c = 0; c < classes; c++)
        {
            for (int i = 0; i < n; i++)
            {
                s[i] = scores[i, c];
                p[i] = targets[i, c];
            }
            ap[c] = AveragePrecision(s, p);
            auc[c] = RocAuc(s, p);
        }
        return new MultiLabelScores(ap, auc);
    }

    static void Check(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        if (scores.Count != positive.Count) throw new ArgumentException($"{scores.Count} scores but {positive.Count} targets");
        if (scores.Any(double.IsNaN)) throw new ArgumentException("a score is NaN; clips cannot be ranked");
    }
}
