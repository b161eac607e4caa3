using System.Globalization;
using ScottPlot;

namespace ByolA.Reports;

/// <summary>
/// Accuracy bars as the summary and the demo draw them: percentages from zero, a std whisker on each bar, the mean
/// written above the whisker (where it clears the bar's neighbours), and a y range that leaves room for those labels.
/// </summary>
internal static class BarChart
{
    /// <summary>One bar: centre <paramref name="X"/>, accuracy mean and std as fractions (std 0: no whisker).</summary>
    public readonly record struct Item(double X, double Mean, double Std, Color Color);

    /// <summary>
    /// Adds the bars (width <paramref name="barSize"/> in x units), their whiskers and, with
    /// <paramref name="valueLabels"/>, the mean above each whisker (and the std with <paramref name="labelStd"/>).
    /// </summary>
    public static ScottPlot.Plottables.BarPlot Add(Plot plot, IReadOnlyList<Item> items, bool valueLabels, float labelSize = 11,
        double barSize = 0.8, bool labelStd = false)
    {
        var bars = plot.Add.Bars(items.Select(i => new Bar
        {
            Position = i.X,
            Value = 100 * i.Mean,
            Error = 100 * i.Std,
            FillColor = i.Color,
            // Whiskers take the line colour: dark enough to read over the bar's own fill.
            LineColor = i.Color.Darken(0.6),
            LineWidth = 1.5f,
            Size = barSize,
        }).ToArray());
        double top = items.Select(i => 100 * (i.Mean + i.Std)).DefaultIfEmpty(100).Max();
        double ceiling = Math.Max(top * 1.12, 10);
        if (valueLabels)
            foreach (var i in items)
            {
                var label = labelStd && i.Std > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{100 * i.Mean:0.0} ± {100 * i.Std:0.0}")
                    : (100 * i.Mean).ToString("0.0", CultureInfo.InvariantCulture);
                var text = plot.Add.Text(label, i.X, 100 * (i.Mean + i.Std) + ceiling * 0.01);
                text.LabelFontSize = labelSize;
                text.LabelAlignment = Alignment.LowerCenter;
                text.LabelFontColor = Colors.Black;
            }
        plot.Axes.SetLimitsY(0, ceiling);
        plot.YLabel("accuracy (%)");
        return bars;
    }

    /// <summary>
    /// After the limits are final: y ticks every 10 points (5 or automatic for low accuracies) with faint horizontal
    /// grid lines to read values against, no vertical grid (the x axis holds categories).
    /// </summary>
    public static void StyleAxes(Plot plot)
    {
        double ceiling = plot.Axes.GetLimits().Top;
        if (ceiling > 20)
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(ceiling > 50 ? 10 : 5);
        plot.Grid.XAxisStyle.IsVisible = false;
        plot.Grid.YAxisStyle.MajorLineStyle.Color = Colors.Black.WithAlpha(0.12);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.MinorTickStyle.Length = 0;
    }
}
