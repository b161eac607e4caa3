using ByolA.Reports;

namespace ByolA.Probe;

/// <summary>
/// The outcome of <see cref="LinearEvaluation.Run"/>: the test score (fraction in [0, 1]) of each run — accuracy, or
/// mAP for a multi-label task (<see cref="Metric"/>); for leave-one-fold-out tasks the mean over folds — with their
/// mean and population std. <see cref="Accuracies"/> keeps its name from the single-label days: it holds the scores.
/// </summary>
public sealed record EvaluationResult(
    string Task,
    string ModelName,
    double UnitSec,
    IReadOnlyList<double> Accuracies,
    double Mean,
    double Std,
    int Clips,
    int Classes,
    int FeatureD,
    bool EmbeddingsFromCache,
    string? ResultsPath)
{
    /// <summary>The probe head: <c>linear</c>, <c>mlp512</c>, ….</summary>
    public string Head { get; init; } = ScoresCsv.LinearHead;

    /// <summary>What the scores measure: <c>accuracy</c> or <c>mAP</c>.</summary>
    public string Metric { get; init; } = ScoresCsv.Accuracy;

    /// <summary>Multi-label tasks: macro ROC AUC of each run (empty otherwise).</summary>
    public IReadOnlyList<double> Aucs { get; init; } = [];

    /// <summary>Multi-label tasks: per-class AP and AUC of every run.</summary>
    public PerClassRankingScores? PerClassRanking { get; init; }

    /// <summary>Single-label tasks: per-class accuracy of every run and the confusion matrix of the last run (test rows only).</summary>
    public PerClassScores? PerClass { get; init; }

    /// <summary>RESULTS/TASK-per-class.csv, when results are written.</summary>
    public string? PerClassPath { get; init; }

    /// <summary>The classifier file written (<see cref="EvaluateOptions.SaveModel"/>), or null.</summary>
    public string? SavedModelPath { get; init; }

    /// <summary>RESULTS/TASK-confusion.png, when results are written (single-label tasks).</summary>
    public string? ConfusionPath { get; init; }
}
