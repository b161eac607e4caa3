using System.Globalization;
using ByolA.Audio;
using ScottPlot;

namespace ByolA.Reports;

/// <summary>
/// <c>train_curves.png</c>: a pretraining run at a glance, drawn from its <c>train_log.csv</c> — BYOL loss per
/// epoch, throughput (samples/s) and the view statistics the original logs (mean and std of the paired views
/// before and after NormalizeBatch). Rewritten atomically after every epoch; drawing it takes a few tens of
/// milliseconds, nothing next to an epoch.
/// </summary>
internal static class TrainingCurvesPlot
{
    public const string FileName = "train_curves.png";
    public const int Width = 900;
    public const int Height = 960;

    /// <summary>
    /// Reads <paramref name="logPath"/> (columns found by name: epoch, loss, mb, sb, ma, sa, samples_per_s) and
    /// writes the figure to <paramref name="pngPath"/>. Throws <see cref="ByolAException"/> for a log without rows.
    /// </summary>
    public static void Write(string logPath, string pngPath)
    {
        var log = ReadLog(logPath);
        if (log["epoch"].Length == 0) throw new ByolAException($"{logPath}: no epochs logged yet");
        double[] epoch = log["epoch"];
        bool marks = epoch.Length <= 60;

        var multiplot = new Multiplot();
        multiplot.AddPlots(3);
        var loss = multiplot.GetPlot(0);
        Line(loss, epoch, log["loss"], null, Colors.C0, marks);
        loss.Title("BYOL-A pretraining: " + Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(logPath))) +
                   $" (epoch {epoch[^1]:0})");
        loss.YLabel("BYOL loss");

        var speed = multiplot.GetPlot(1);
        Line(speed, epoch, log["samples_per_s"], null, Colors.C1, marks);
        speed.YLabel("samples / s");
        // From zero: a slow epoch should look as slow as it was.
        double fastest = log["samples_per_s"].Where(double.IsFinite).DefaultIfEmpty(1).Max();
        speed.Axes.SetLimitsY(0, Math.Max(fastest, 1e-9) * 1.15);

        var views = multiplot.GetPlot(2);
        Line(views, epoch, log["mb"], "mean before norm (mb)", Colors.C2, marks);
        Line(views, epoch, log["sb"], "std before norm (sb)", Colors.C3, marks);
        Line(views, epoch, log["ma"], "mean after norm (ma)", Colors.C4, marks);
        Line(views, epoch, log["sa"], "std after norm (sa)", Colors.C5, marks);
        views.YLabel("view statistics");
        // Above the panel, in one row: inside it would hide lines whose values nobody can predict.
        views.ShowLegend(Edge.Top);
        views.Legend.Orientation = Orientation.Horizontal;

        foreach (var plot in new[] { loss, speed, views })
        {
            Style.Apply(plot);
            plot.XLabel("epoch");
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            if (epoch.Length == 1) plot.Axes.SetLimitsX(epoch[0] - 1, epoch[0] + 1);
        }
        PngFile.Save(multiplot, pngPath, Width, Height);
    }

    static void Line(Plot plot, double[] x, double[] y, string? label, Color color, bool marks)
    {
        var s = plot.Add.Scatter(x, y, color);
        if (label != null) s.LegendText = label;
        s.LineWidth = 2;
        s.MarkerSize = marks ? 6 : 0;
    }

    /// <summary>Numeric columns of the log by header name; unknown or unparsable cells become NaN.</summary>
    internal static Dictionary<string, double[]> ReadLog(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) throw new ByolAException($"{path}: empty training log");
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        var columns = new Dictionary<string, double[]>();
        foreach (var name in new[] { "epoch", "loss", "mb", "sb", "ma", "sa", "samples_per_s" })
        {
            int i = Array.IndexOf(header, name);
            columns[name] = rows.Select(r => i >= 0 && i < r.Length && double.TryParse(r[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN).ToArray();
        }
        return columns;
    }
}
