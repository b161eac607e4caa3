namespace ByolA.Reports;

/// <summary>
/// Per-class scores of a multi-label task (SPEC §9): average precision and ROC AUC of every class in every run, with
/// the number of positive test clips. AP is undefined (NaN, an empty cell) for a class without positive test clips;
/// AUC also for a class that every test clip holds.
/// </summary>
public sealed class PerClassRankingScores
{
    /// <summary>Class names in <c>TaskMetadata.Classes</c> order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Positive test clips of each class (the same in every run).</summary>
    public IReadOnlyList<int> Positives { get; }

    /// <summary>[run][class] average precision.</summary>
    public IReadOnlyList<IReadOnlyList<double>> AveragePrecision { get; }

    /// <summary>[run][class] ROC AUC.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Auc { get; }

    public PerClassRankingScores(IReadOnlyList<string> classes, IReadOnlyList<int> positives,
        IReadOnlyList<IReadOnlyList<double>> averagePrecision, IReadOnlyList<IReadOnlyList<double>> auc)
    {
        if (positives.Count != classes.Count || averagePrecision.Any(r => r.Count != classes.Count) || auc.Count != averagePrecision.Count ||
            auc.Any(r => r.Count != classes.Count))
            throw new ArgumentException("every run needs one AP and one AUC per class");
        Classes = classes;
        Positives = positives;
        AveragePrecision = averagePrecision;
        Auc = auc;
    }

    /// <summary>Mean AP of class <paramref name="c"/> over the runs (NaN when undefined).</summary>
    public double MeanAveragePrecision(int c) => AveragePrecision.Count == 0 ? double.NaN : AveragePrecision.Average(run => run[c]);

    /// <summary>Mean ROC AUC of class <paramref name="c"/> over the runs (NaN when undefined).</summary>
    public double MeanAuc(int c) => Auc.Count == 0 ? double.NaN : Auc.Average(run => run[c]);

    /// <summary>The <paramref name="n"/> classes with the lowest mean AP (ties by name), among those with positives.</summary>
    public IReadOnlyList<(string Class, double Mean)> Worst(int n) =>
        PerClassTable.Worst(Classes, MeanAveragePrecision, c => !double.IsNaN(MeanAveragePrecision(c)), n);

    /// <summary>Writes <c>class,positives,ap_run0..,ap,auc_run0..,auc</c> (fractions; empty where undefined), atomically.</summary>
    public void WriteCsv(string path) =>
        PerClassTable.WriteCsv(path, Classes,
            ["class", "positives", .. AveragePrecision.Select((_, r) => $"ap_run{r}"), "ap", .. Auc.Select((_, r) => $"auc_run{r}"), "auc"],
            c => [PerClassTable.Format(Positives[c]), .. AveragePrecision.Select(run => PerClassTable.Format(run[c])), PerClassTable.Format(MeanAveragePrecision(c)),
                  .. Auc.Select(run => PerClassTable.Format(run[c])), PerClassTable.Format(MeanAuc(c))]);
}
