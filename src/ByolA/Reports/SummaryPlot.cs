using ScottPlot;

namespace ByolA.Reports;

/// <summary>
/// <c>summary.png</c>: the results table as grouped bars — one group per task (and one for the average when there are
/// several tasks), one bar per model in the legend's colours, std whiskers, the mean above each bar while bars are
/// wide enough to hold it. The width grows with the number of bars (within <see cref="MaxWidth"/>) so labels keep
/// their size instead of overlapping. At most <see cref="MaxModels"/> models (the best by average) and
/// <see cref="MaxTasks"/> tasks are drawn, and the title says so; the Markdown table always holds them all.
/// </summary>
internal static class SummaryPlot
{
    /// <summary>Models drawn at most: twenty colours tell them apart, and 2,000 made a 2400 × 48140 picture.</summary>
    public const int MaxModels = 20;

    /// <summary>Tasks drawn at most (the first in the table's order).</summary>
    public const int MaxTasks = 30;

    /// <summary>
    /// The models drawn: all when they are few, else the <see cref="MaxModels"/> best by average (then those without
    /// an average by the mean of their task means), in the table's order.
    /// </summary>
    public static IReadOnlyList<string> DrawnModels(ResultsSummary summary)
    {
        if (summary.Models.Count <= MaxModels) return summary.Models;
        var best = summary.Models
            .Select((m, i) => (Model: m, Index: i, Average: summary.Average(m),
                Mean: summary.Tasks.Select(t => summary.Cell(m, t)?.Mean).Where(v => v != null).Average() ?? 0))
            .OrderByDescending(x => x.Average != null).ThenByDescending(x => x.Average ?? x.Mean).ThenBy(x => x.Index)
            .Take(MaxModels).OrderBy(x => x.Index).Select(x => x.Model).ToList();
        return best;
    }

    /// <summary>The tasks drawn: the first <see cref="MaxTasks"/> in the table's order.</summary>
    public static IReadOnlyList<string> DrawnTasks(ResultsSummary summary) => summary.Tasks.Take(MaxTasks).ToList();

    /// <summary>The picture's title, with what was left out when not everything is drawn.</summary>
    public static string Title(ResultsSummary summary)
    {
        var cut = new List<string>();
        if (summary.Models.Count > MaxModels) cut.Add($"best {MaxModels} of {summary.Models.Count} models by average");
        if (summary.Tasks.Count > MaxTasks) cut.Add($"first {MaxTasks} of {summary.Tasks.Count} tasks");
        var what = summary.Metrics.Count > 1 ? "Probe scores (accuracy % or mAP %, as each group says): mean ± std over runs"
            : summary.Metrics[0] == ScoresCsv.Accuracy ? "Probe accuracy: mean ± std over runs" : "Probe mAP: mean ± std over runs";
        return what + (cut.Count > 0 ? $" ({string.Join("; ", cut)}; all in summary.md)" : "");
    }
    public const int MinHeight = 560;
    public const int MinWidth = 720;
    public const int MaxWidth = 2400;
    const int BarPixels = 44;
    const int LabelledBarPixels = 34;
    const int MaxBarPixels = 90;

    /// <summary>
    /// Groups drawn: the tasks (named with their metric when the table holds mAP), then each average column that
    /// averages several tasks and that some model has.
    /// </summary>
    public static IReadOnlyList<string> Groups(ResultsSummary summary) =>
        [.. DrawnTasks(summary).Select(summary.Header), .. Averages(summary).Select(a => a.Name)];

    /// <summary>The average columns drawn: those that average several drawn tasks of their metric and that some drawn model has.</summary>
    static IReadOnlyList<(string Name, string Metric)> Averages(ResultsSummary summary) =>
        summary.AverageColumns.Where(a => DrawnTasks(summary).Count(t => summary.Metric(t) == a.Metric) > 1 &&
                                          DrawnModels(summary).Any(m => summary.Average(m, a.Metric) != null)).ToList();

    /// <summary>Pixel size of the figure for <paramref name="summary"/>.</summary>
    public static (int Width, int Height) Size(ResultsSummary summary)
    {
        int groups = Groups(summary).Count, models = DrawnModels(summary).Count;
        int longestTask = Groups(summary).Max(g => g.Length);
        int slot = Math.Max((models + 1) * BarPixels, 8 * longestTask + 24);
        // Taller when the legend needs it: a row per model.
        return (Math.Clamp(LeftMargin + groups * slot + LegendWidth(summary), MinWidth, MaxWidth), Math.Max(MinHeight, 140 + 24 * models));
    }

    const int LeftMargin = 90;

    static int LegendWidth(ResultsSummary summary) => 60 + 8 * Math.Min(DrawnModels(summary).Max(m => m.Length), 48);

    public static void Write(ResultsSummary summary, string pngPath)
    {
        var (width, height) = Size(summary);
        var groups = Groups(summary);
        var drawn = DrawnModels(summary);
        var tasks = DrawnTasks(summary);
        int models = drawn.Count;
        var plot = new Plot();
        Style.Apply(plot);
        // Ten colours tell up to ten models apart; beyond that twenty (paired shades) before any colour repeats.
        IPalette palette = models <= 10 ? new ScottPlot.Palettes.Category10() : new ScottPlot.Palettes.Category20();
        double barPixels = (width - LeftMargin - LegendWidth(summary)) / (double)(groups.Count * (models + 1));
        bool labels = barPixels >= LabelledBarPixels;
        var missing = new List<double>();
        for (int m = 0; m < models; m++)
        {
            var model = drawn[m];
            var items = new List<BarChart.Item>();
            for (int g = 0; g < groups.Count; g++)
            {
                double x = g * (models + 1) + m;
                var score = g < tasks.Count
                    ? summary.Cell(model, tasks[g]) is { } c ? (c.Mean, c.Std) : ((double, double)?)null
                    : summary.Average(model, Averages(summary)[g - tasks.Count].Metric) is { } a ? (a, 0) : null;
                if (score is var (mean, std)) items.Add(new(x, mean, std, palette.GetColor(m)));
                else missing.Add(x);
            }
            var bars = BarChart.Add(plot, items, labels);
            bars.LegendText = model.Length > 48 ? model[..47] + "…" : model;
        }
        // The bars' y range is per call: set it once more over all of them.
        double top = drawn.SelectMany(m => tasks.Select(t => summary.Cell(m, t)))
            .Where(c => c != null).Select(c => 100 * (c!.Mean + c.Std)).DefaultIfEmpty(100).Max();
        double ceiling = Math.Max(top * 1.12, 10);
        plot.Axes.SetLimitsY(0, ceiling);
        // A gap, not a zero: say so where the bar would stand.
        if (labels)
            foreach (var x in missing)
            {
                var text = plot.Add.Text("n/a", x, ceiling * 0.01);
                text.LabelFontSize = 11;
                text.LabelAlignment = Alignment.LowerCenter;
                text.LabelFontColor = Colors.Gray;
            }
        // Few bars in the minimum width would each grow as wide as a door: pad the x range so a bar stays at most
        // MaxBarPixels wide, centred.
        double units = groups.Count * (models + 1) - 0.6, pad = Math.Max(0, (units * barPixels / MaxBarPixels - units) / 2);
        plot.Axes.SetLimitsX(-0.7 - pad, units - 0.7 + pad);

        var centres = Enumerable.Range(0, groups.Count).Select(g => g * (models + 1) + (models - 1) / 2.0).ToArray();
        plot.Axes.Bottom.SetTicks(centres, groups.ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        BarChart.StyleAxes(plot);
        if (groups.Count > tasks.Count)
        {
            // The average is not a task: a faint rule sets its group apart.
            var rule = plot.Add.VerticalLine(tasks.Count * (models + 1) - 1);
            rule.Color = Colors.Gray.WithAlpha(0.6);
            rule.LinePattern = LinePattern.Dashed;
            rule.LineWidth = 1;
        }
        plot.Title(Title(summary));
        plot.ShowLegend(Edge.Right);
        PngFile.Save(plot, pngPath, width, height);
    }
}
