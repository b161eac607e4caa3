namespace ByolA.Reports;

/// <summary>
/// One model on one task: <see cref="Mean"/> and population <see cref="Std"/> (as <c>evaluate</c> computes them) of
/// the test accuracies, as fractions, over <see cref="Runs"/> runs — every run of every evaluation of that model.
/// </summary>
public sealed record ScoreCell(double Mean, double Std, int Runs)
{
    /// <summary>Mean and population std of <paramref name="runs"/> (at least one).</summary>
    public static ScoreCell Of(IReadOnlyList<double> runs)
    {
        double mean = runs.Average();
        double std = Math.Sqrt(runs.Sum(a => (a - mean) * (a - mean)) / runs.Count);
        return new ScoreCell(mean, std, runs.Count);
    }
}
