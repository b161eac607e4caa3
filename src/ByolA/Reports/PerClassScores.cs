using ByolA.Tasks;

namespace ByolA.Reports;

/// <summary>
/// Per-class test accuracy of every linear-probe run and the confusion matrix of the last run. Test rows are the
/// test split (split tasks) or every row, each predicted by the classifier of its held-out fold (fold tasks).
/// </summary>
public sealed class PerClassScores
{
    /// <summary>Class names in <see cref="TaskMetadata.Classes"/> order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Test rows of each class (the same in every run).</summary>
    public IReadOnlyList<int> Support { get; }

    /// <summary>[run][class] accuracy as a fraction; NaN for a class without test rows.</summary>
    public IReadOnlyList<double[]> Accuracy { get; }

    /// <summary>[true class, predicted class] counts over the test rows of the last run.</summary>
    public int[,] Confusion { get; }

    PerClassScores(IReadOnlyList<string> classes, int[] support, List<double[]> accuracy, int[,] confusion)
    {
        Classes = classes;
        Support = support;
        Accuracy = accuracy;
        Confusion = confusion;
    }

    /// <summary>Mean accuracy of class <paramref name="c"/> over the runs (NaN without test rows).</summary>
    public double Mean(int c) => Accuracy.Count == 0 ? double.NaN : Accuracy.Average(run => run[c]);

    /// <summary>
    /// Scores from <paramref name="predictions"/>: one array per run holding the predicted class index of every
    /// metadata row (only test rows are read).
    /// </summary>
    public static PerClassScores Compute(TaskMetadata metadata, IReadOnlyList<long[]> predictions)
    {
        var classes = metadata.Classes;
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        var test = metadata.Rows.Select((r, i) => (r, i))
            .Where(p => metadata.HasFolds || p.r.Split == Splits.Test)
            .Select(p => (Row: p.i, Label: index[p.r.Label])).ToList();
        var support = new int[classes.Count];
        foreach (var t in test) support[t.Label]++;
        var accuracy = new List<double[]>();
        var confusion = new int[classes.Count, classes.Count];
        foreach (var run in predictions)
        {
            var hits = new int[classes.Count];
            Array.Clear(confusion);
            foreach (var t in test)
            {
                int predicted = (int)run[t.Row];
                confusion[t.Label, predicted]++;
                if (predicted == t.Label) hits[t.Label]++;
            }
            accuracy.Add(hits.Select((h, c) => support[c] > 0 ? (double)h / support[c] : double.NaN).ToArray());
        }
        return new PerClassScores(classes, support, accuracy, confusion);
    }

    /// <summary>The <paramref name="n"/> classes with the lowest mean accuracy (ties by name), with that mean.</summary>
    public IReadOnlyList<(string Class, double Mean)> Worst(int n) => PerClassTable.Worst(Classes, Mean, c => Support[c] > 0, n);

    /// <summary>Writes <c>class,support,run0..runN-1,mean</c> (accuracies as fractions), atomically.</summary>
    public void WriteCsv(string path) =>
        PerClassTable.WriteCsv(path, Classes, ["class", "support", .. Accuracy.Select((_, r) => $"run{r}"), "mean"],
            c => [PerClassTable.Format(Support[c]), .. Accuracy.Select(run => PerClassTable.Format(run[c])), PerClassTable.Format(Mean(c))]);
}
