namespace ByolA.Probe;

/// <summary>
/// Per-class average precision and ROC AUC of one multi-label test (NaN where undefined: AP without a positive clip,
/// AUC without both a positive and a negative), with their macro means (SPEC §9).
/// </summary>
internal sealed record MultiLabelScores(IReadOnlyList<double> AveragePrecision, IReadOnlyList<double> Auc)
{
    /// <summary>Unweighted mean AP over the classes with at least one positive clip (NaN when none has).</summary>
    public double MeanAveragePrecision => Mean(AveragePrecision);

    /// <summary>Unweighted mean ROC AUC over the classes with both positive and negative clips (NaN when none has).</summary>
    public double MeanAuc => Mean(Auc);

    /// <summary>Classes without a positive clip, left out of <see cref="MeanAveragePrecision"/>.</summary>
    public int WithoutPositives => AveragePrecision.Count(double.IsNaN);

    static double Mean(IReadOnlyList<double> values)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToList();
        return defined.Count == 0 ? double.NaN : defined.Average();
    }
}
