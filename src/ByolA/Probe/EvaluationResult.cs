using ByolA.Reports;

namespace ByolA.Probe;

/// <summary>
/// The outcome of <see cref="LinearEvaluation.Run"/>: test accuracy (fraction in [0, 1]) of each run — for
/// leave-one-fold-out tasks the mean over folds — with their mean and population std.
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
    /// <summary>Per-class accuracy of every run and the confusion matrix of the last run (test rows only).</summary>
    public PerClassScores? PerClass { get; init; }

    /// <summary>RESULTS/TASK-per-class.csv, when results are written.</summary>
    public string? PerClassPath { get; init; }

    /// <summary>RESULTS/TASK-confusion.png, when results are written.</summary>
    public string? ConfusionPath { get; init; }
}
