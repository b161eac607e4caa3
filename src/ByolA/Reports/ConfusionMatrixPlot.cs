using ScottPlot;

namespace ByolA.Reports;

/// <summary>
/// <c>TASK-confusion.png</c>: the last run's confusion matrix over the test rows — rows the true class, columns the
/// predicted one, each cell the count with its shade the row-normalised fraction (so rare classes read as well as
/// frequent ones). Up to <see cref="MaxClasses"/> classes every one is drawn and named; above that only the
/// <see cref="MostConfused"/> classes with the most errors (as true or predicted class) are, which keeps names legible.
/// </summary>
internal static class ConfusionMatrixPlot
{
    public const int MaxClasses = 50;
    public const int MostConfused = 20;
    const int Top = 80;

    /// <summary>Pixel size of the figure for <paramref name="shown"/> classes whose longest name has <paramref name="longestName"/> characters.</summary>
    public static (int Width, int Height) Size(int shown, int longestName)
    {
        var (cell, label) = Geometry(shown, longestName);
        return (label + shown * cell + 40, Top + shown * cell + label);
    }

    static (int Cell, int Label) Geometry(int shown, int longestName) =>
        (shown <= 10 ? 56 : shown <= 25 ? 36 : 24, 40 + 7 * Math.Min(longestName, 40));

    /// <summary>The class indices drawn: all up to <see cref="MaxClasses"/>, else the most confused, in class order.</summary>
    public static int[] ShownClasses(PerClassScores scores)
    {
        int n = scores.Classes.Count;
        if (n <= MaxClasses) return Enumerable.Range(0, n).ToArray();
        var m = scores.Confusion;
        long Errors(int c) => Enumerable.Range(0, n).Where(k => k != c).Sum(k => (long)m[c, k] + m[k, c]);
        return Enumerable.Range(0, n).OrderByDescending(Errors).ThenBy(c => scores.Classes[c], StringComparer.Ordinal)
            .Take(MostConfused).Order().ToArray();
    }

    public static void Write(PerClassScores scores, string title, string pngPath)
    {
        var shown = ShownClasses(scores);
        int k = shown.Length;
        string Name(int c) => scores.Classes[c].Length > 40 ? scores.Classes[c][..39] + "…" : scores.Classes[c];
        var (cell, label) = Geometry(k, shown.Select(c => scores.Classes[c].Length).DefaultIfEmpty(1).Max());
        var (width, height) = Size(k, shown.Select(c => scores.Classes[c].Length).DefaultIfEmpty(1).Max());

        var plot = new Plot();
        Style.Apply(plot);
        var m = scores.Confusion;
        float fontSize = cell >= 36 ? 12 : 9;
        for (int i = 0; i < k; i++)
        {
            double rowTotal = Enumerable.Range(0, scores.Classes.Count).Sum(j => m[shown[i], j]);
            double y = k - 1 - i;   // first class on top
            for (int j = 0; j < k; j++)
            {
                int count = m[shown[i], shown[j]];
                double share = rowTotal > 0 ? count / rowTotal : 0;
                var rect = plot.Add.Rectangle(j - 0.5, j + 0.5, y - 0.5, y + 0.5);
                rect.FillStyle.Color = Shade(share);
                rect.LineStyle.Width = 0;
                if (count == 0) continue;
                var text = plot.Add.Text(count.ToString(System.Globalization.CultureInfo.InvariantCulture), j, y);
                text.LabelFontSize = fontSize;
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = share > 0.5 ? Colors.White : Colors.Black;
            }
        }
        var positions = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, shown.Select(Name).ToArray());
        plot.Axes.Left.SetTicks(positions, shown.Reverse().Select(Name).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = -90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        plot.HideGrid();
        int n = scores.Classes.Count;
        // Title and the columns' name above the matrix, as one label: below it ScottPlot would set the axis label over
        // the rotated class names, and a separate title would collide with it under the fixed layout.
        plot.Axes.Top.Label.Text = (k < n ? $"{title} — the {k} most confused of {n} classes" : title) + "\npredicted class";
        plot.Axes.Top.Label.FontSize = 14;
        plot.YLabel("true class");
        plot.Layout.Fixed(new PixelPadding(label, 40, label, Top));
        PngFile.Save(plot, pngPath, width, height);
    }

    /// <summary>White → dark blue as the row share goes 0 → 1.</summary>
    static Color Shade(double share)
    {
        share = Math.Clamp(share, 0, 1);
        byte Mix(int from, int to) => (byte)Math.Round(from + (to - from) * share);
        return new Color(Mix(255, 8), Mix(255, 48), Mix(255, 107));
    }
}
