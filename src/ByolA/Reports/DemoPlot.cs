using ScottPlot;

namespace ByolA.Reports;

/// <summary>
/// The demo's picture, side by side: the BYOL loss of its pretraining per epoch (from <c>train_log.csv</c>) and the
/// linear-probe accuracy of each encoder it compared, with std whiskers over the probe runs.
/// </summary>
internal static class DemoPlot
{
    public const string FileName = "demo.png";
    public const int Height = 480;
    const int MinPanelWidth = 540;

    /// <summary>One encoder's bar: accuracies as fractions.</summary>
    public readonly record struct Encoder(string Name, double Mean, double Std, int Runs);

    /// <summary>
    /// Pixel size for encoders named <paramref name="names"/>: two panels of equal width, wide enough that every name
    /// (wrapped, see <see cref="WrapAt"/>) fits under its bar.
    /// </summary>
    public static (int Width, int Height) Size(IReadOnlyList<string> names)
    {
        int longestLine = names.SelectMany(n => Wrap(n).Split('\n')).Max(l => l.Length);
        return (2 * Math.Max(MinPanelWidth, 100 + names.Count * Math.Max(120, 8 * longestLine + 24)), Height);
    }

    /// <summary>Names longer than this are broken in two lines at the hyphen nearest their middle.</summary>
    public const int WrapAt = 18;

    static string Wrap(string name)
    {
        if (name.Length <= WrapAt) return name;
        int best = -1;
        for (int i = 1; i < name.Length - 1; i++)
            if (name[i] is '-' or '_' or ' ' && (best < 0 || Math.Abs(i - name.Length / 2) < Math.Abs(best - name.Length / 2))) best = i;
        return best < 0 ? name : name[..(best + 1)].TrimEnd() + "\n" + name[(best + 1)..].TrimStart();
    }

    public static void Write(string trainLogPath, IReadOnlyList<Encoder> encoders, string pngPath)
    {
        var log = TrainingCurvesPlot.ReadLog(trainLogPath);
        var epoch = log["epoch"];
        if (epoch.Length == 0) throw new ByolAException($"{trainLogPath}: no epochs logged");
        var (width, height) = Size(encoders.Select(e => e.Name).ToList());

        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();

        var loss = multiplot.GetPlot(0);
        Style.Apply(loss);
        var line = loss.Add.Scatter(epoch, log["loss"], Colors.C0);
        line.LineWidth = 2;
        line.MarkerSize = epoch.Length <= 60 ? 6 : 0;
        loss.Title($"BYOL-A pretraining ({epoch.Length} epochs)");
        loss.XLabel("epoch");
        loss.YLabel("BYOL loss");
        loss.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        loss.Axes.Bottom.MinorTickStyle.Length = 0;   // epochs are whole: no ticks between them
        if (epoch.Length == 1) loss.Axes.SetLimitsX(epoch[0] - 1, epoch[0] + 1);

        var accuracy = multiplot.GetPlot(1);
        Style.Apply(accuracy);
        var palette = new ScottPlot.Palettes.Category10();
        BarChart.Add(accuracy, encoders.Select((e, i) => new BarChart.Item(i, e.Mean, e.Std, palette.GetColor(i))).ToList(),
            valueLabels: true, labelSize: 13, barSize: 0.6, labelStd: true);
        accuracy.Axes.SetLimitsX(-0.6, encoders.Count - 0.4);
        accuracy.Axes.Bottom.SetTicks(Enumerable.Range(0, encoders.Count).Select(i => (double)i).ToArray(),
            encoders.Select(e => Wrap(e.Name)).ToArray());
        accuracy.Axes.Bottom.TickLabelStyle.FontSize = 13;
        accuracy.XLabel("encoder");   // also lines the two panels' plot areas up
        BarChart.StyleAxes(accuracy);
        int runs = encoders.Max(e => e.Runs);
        accuracy.Title($"Linear probe: mean ± std over {runs} run{(runs == 1 ? "" : "s")}");
        // One fixed padding for both panels: their plot areas line up although only the bars have two-line labels.
        foreach (var plot in new[] { loss, accuracy }) plot.Layout.Fixed(new PixelPadding(80, 24, 66, 44));
        PngFile.Save(multiplot, pngPath, width, height);
    }
}
