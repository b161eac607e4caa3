using ByolA.Reports;
using ByolA.Tasks;
using ByolA.Tests.Support;

namespace ByolA.Tests.Reports;

public class PerClassScoresTests
{
    /// <summary>A split task of <paramref name="classes"/> classes with 2 train and <paramref name="test"/> test rows each.</summary>
    static TaskMetadata Split(int classes, int test)
    {
        var rows = new List<MetadataRow>();
        for (int c = 0; c < classes; c++)
        {
            string label = $"class {c:D2} " + new string('x', c % 7);
            for (int k = 0; k < 2; k++) rows.Add(new MetadataRow($"{c}-tr{k}.wav", label, Splits.Train));
            for (int k = 0; k < test; k++) rows.Add(new MetadataRow($"{c}-te{k}.wav", label, Splits.Test));
        }
        return new TaskMetadata(rows);
    }

    /// <summary>Predictions that get the first <c>right[c]</c> test rows of class c right and send the others to class c+1.</summary>
    static long[] Predict(TaskMetadata m, Func<int, int> right)
    {
        var index = m.Classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        var seen = new int[m.Classes.Count];
        return m.Rows.Select(r =>
        {
            int c = index[r.Label];
            if (r.Split != Splits.Test) return -1L;
            return seen[c]++ < right(c) ? c : (c + 1) % m.Classes.Count;
        }).ToArray();
    }

    [Fact]
    public void Counts_cover_the_test_split_and_accuracies_follow_the_predictions()
    {
        var m = Split(4, test: 5);
        var runs = new[] { Predict(m, c => 5 - c), Predict(m, c => 5) };
        var scores = PerClassScores.Compute(m, runs);

        Assert.Equal(m.Rows.Count(r => r.Split == Splits.Test), scores.Support.Sum());
        Assert.Equal([1.0, 0.8, 0.6, 0.4], scores.Accuracy[0]);
        Assert.Equal(0.7, scores.Mean(3), 12);
        // The confusion matrix is the last run's: everything on the diagonal.
        Assert.Equal(20, Enumerable.Range(0, 4).Sum(c => scores.Confusion[c, c]));
        Assert.Equal([m.Classes[3], m.Classes[2], m.Classes[1]], scores.Worst(3).Select(w => w.Class));
    }

    [Fact]
    public void Fold_tasks_count_every_row_once()
    {
        var rows = Enumerable.Range(0, 12).Select(i => new MetadataRow($"{i}.wav", "c" + i % 3, Fold: 1 + i % 2)).ToList();
        var m = new TaskMetadata(rows);
        var scores = PerClassScores.Compute(m, [rows.Select((r, i) => (long)(i % 3)).ToArray()]);
        Assert.Equal(12, scores.Support.Sum());
        Assert.All(scores.Accuracy[0], a => Assert.Equal(1.0, a));
    }

    [Fact]
    public void Csv_has_class_support_runs_and_mean_and_counts_sum_to_the_test_split()
    {
        using var dir = new TempDir();
        var m = Split(3, test: 4);
        var scores = PerClassScores.Compute(m, [Predict(m, c => 4 - c), Predict(m, c => 3)]);
        scores.WriteCsv(dir.File("results/t-per-class.csv"));
        var lines = File.ReadAllLines(dir.File("results/t-per-class.csv"));
        Assert.Equal("class,support,run0,run1,mean", lines[0]);
        Assert.Equal(12, lines.Skip(1).Sum(l => int.Parse(l.Split(',')[1])));
        Assert.Equal("0.625", lines[3].Split(',')[^1]);   // class 2: (2/4 + 3/4) / 2
    }

    [Theory]
    [InlineData(6, 6)]
    [InlineData(50, 50)]
    [InlineData(64, ConfusionMatrixPlot.MostConfused)]
    public void Confusion_png_decodes_at_the_size_for_the_classes_it_shows(int classes, int shown)
    {
        using var dir = new TempDir();
        var m = Split(classes, test: 4);
        // Classes 10..19 of the big task are the confused ones.
        var scores = PerClassScores.Compute(m, [Predict(m, c => classes > 50 && c is >= 10 and < 30 ? 1 : 4 - c % 2)]);
        var path = dir.File("results/t-confusion.png");
        ConfusionMatrixPlot.Write(scores, "t: model", path);
        var shownClasses = ConfusionMatrixPlot.ShownClasses(scores);
        Assert.Equal(shown, shownClasses.Length);
        var (w, h, inked) = Png.Read(path);
        Assert.Equal(ConfusionMatrixPlot.Size(shown, shownClasses.Max(c => m.Classes[c].Length)), (w, h));
        Assert.InRange(inked, 0.02, 0.9);
        if (classes > 50) Assert.All(shownClasses, c => Assert.InRange(c, 9, 30));
    }
}
