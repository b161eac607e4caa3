using ByolA.Probe;

namespace ByolA.Tests.Probe;

/// <summary>
/// AP and ROC AUC (SPEC §9) on rankings small enough to work out by hand, and against independent formulations
/// (precision at each positive's rank; counting every positive–negative pair) on random rankings.
/// </summary>
public class RankingMetricsTests
{
    [Fact]
    public void A_perfect_ranking_scores_one_and_a_reversed_one_its_worked_out_values()
    {
        bool[] positive = [true, true, false, false, false];
        Assert.Equal(1.0, RankingMetrics.AveragePrecision([0.9, 0.8, 0.3, 0.2, 0.1], positive), 12);
        Assert.Equal(1.0, RankingMetrics.RocAuc([0.9, 0.8, 0.3, 0.2, 0.1], positive), 12);
        // Reversed: the two positives rank 4th and 5th. Recall reaches 1/2 at 4 called (precision 1/4) and 1 at 5
        // called (precision 2/5): AP = 1/2·1/4 + 1/2·2/5. No positive outranks a negative: AUC 0.
        Assert.Equal(0.5 * 0.25 + 0.5 * 0.4, RankingMetrics.AveragePrecision([0.1, 0.2, 0.3, 0.8, 0.9], positive), 12);
        Assert.Equal(0.0, RankingMetrics.RocAuc([0.1, 0.2, 0.3, 0.8, 0.9], positive), 12);
    }

    [Fact]
    public void Tied_scores_form_one_threshold_and_count_one_half_in_the_auc()
    {
        // Scores 0.9 (pos), 0.8 (neg), 0.8 (pos), 0.3 (neg). Thresholds: 0.9 → 1 called, 1 right: P 1, R 1/2;
        // 0.8 → 3 called, 2 right: P 2/3, R 1. AP = 1/2·1 + 1/2·2/3. (Taking the tied pair one by one, positive first,
        // would give 1/2 + 1/2·1 = 1 instead.)
        double[] scores = [0.9, 0.8, 0.8, 0.3];
        bool[] positive = [true, false, true, false];
        Assert.Equal(0.5 + 0.5 * (2.0 / 3), RankingMetrics.AveragePrecision(scores, positive), 12);
        // Pairs (pos, neg): (0.9, 0.8) 1, (0.9, 0.3) 1, (0.8, 0.8) ½, (0.8, 0.3) 1 → 3.5 / 4.
        Assert.Equal(3.5 / 4, RankingMetrics.RocAuc(scores, positive), 12);
        // All clips tied: one threshold calling everything positive, AP = the positive rate; AUC ½.
        Assert.Equal(0.5, RankingMetrics.AveragePrecision([0.4, 0.4, 0.4, 0.4], positive), 12);
        Assert.Equal(0.5, RankingMetrics.RocAuc([0.4, 0.4, 0.4, 0.4], positive), 12);
    }

    [Fact]
    public void A_class_without_positives_is_left_out_of_the_map_and_counted()
    {
        // Clips × 3 classes. Class 0: perfect (AP 1, AUC 1). Class 1: reversed (positive ranked last of 4: AP 1/4, AUC 0).
        // Class 2: no positive test clip: AP undefined, AUC undefined; mAP = (1 + 1/4) / 2, AUC = (1 + 0) / 2.
        float[,] scores = { { 0.9f, 0.1f, 0.5f }, { 0.2f, 0.4f, 0.6f }, { 0.1f, 0.3f, 0.7f }, { 0.05f, 0.01f, 0.2f } };
        bool[,] targets = { { true, false, false }, { false, false, false }, { false, false, false }, { false, true, false } };
        var result = RankingMetrics.Compute(scores, targets);
        Assert.Equal(1.0, result.AveragePrecision[0], 12);
        Assert.Equal(0.25, result.AveragePrecision[1], 12);
        Assert.True(double.IsNaN(result.AveragePrecision[2]));
        Assert.True(double.IsNaN(result.Auc[2]));
        Assert.Equal(1, result.WithoutPositives);
        Assert.Equal((1 + 0.25) / 2, result.MeanAveragePrecision, 12);
        Assert.Equal((1 + 0.0) / 2, result.MeanAuc, 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_rankings_agree_with_independent_formulations(int seed)
    {
        var rng = new Random(seed);
        int n = 40;
        // Distinct scores: AP is then the mean over positives of the precision at the positive's rank.
        var scores = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var positive = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.3).ToArray();
        positive[0] = true;
        positive[1] = false;
        var ranked = Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ToArray();
        double precisionSum = 0;
        int hits = 0;
        for (int k = 0; k < n; k++)
            if (positive[ranked[k]]) precisionSum += (double)++hits / (k + 1);
        Assert.Equal(precisionSum / hits, RankingMetrics.AveragePrecision(scores, positive), 12);

        // Coarse scores (many ties): AUC by counting every positive–negative pair, a tie counting one half.
        var coarse = scores.Select(s => Math.Round(s * 4) / 4).ToArray();
        double pairs = 0, wins = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (positive[i] && !positive[j])
                {
                    pairs++;
                    wins += coarse[i] > coarse[j] ? 1 : coarse[i] == coarse[j] ? 0.5 : 0;
                }
        Assert.Equal(wins / pairs, RankingMetrics.RocAuc(coarse, positive), 12);
    }
}
