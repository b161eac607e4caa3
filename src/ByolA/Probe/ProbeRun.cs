namespace ByolA.Probe;

/// <summary>
/// One run of <see cref="ProbeProtocol.Run"/>: the test <see cref="Score"/> (accuracy, or mAP when
/// <see cref="MultiLabel"/>; for fold tasks the mean over folds), the rows that were tested (sorted), and for every
/// row of the metadata its class <see cref="Probabilities"/> [row, class] (softmax, or per-class sigmoid when
/// multi-label) and its top class in <see cref="Predictions"/> — meaningful for the test rows only.
/// </summary>
internal sealed record ProbeRun(
    double Score,
    bool MultiLabel,
    IReadOnlyList<long> TestRows,
    long[] Predictions,
    float[,] Probabilities,
    MultiLabelScores? PerClass)
{
    /// <summary>Macro ROC AUC over the test rows (multi-label), else NaN.</summary>
    public double Auc => PerClass?.MeanAuc ?? double.NaN;
}
