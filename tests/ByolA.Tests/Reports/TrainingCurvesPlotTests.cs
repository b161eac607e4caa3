using System.Globalization;
using ByolA.Data;
using ByolA.Reports;
using ByolA.Tests.Support;

namespace ByolA.Tests.Reports;

public class TrainingCurvesPlotTests
{
    static string WriteLog(TempDir dir, int epochs)
    {
        var lines = new List<string> { "epoch,loss,mb,sb,ma,sa,batches,samples,seconds,samples_per_s,unreadable" };
        for (int e = 1; e <= epochs; e++)
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{e},{0.9 / e + 0.05},{-3.1 + 0.01 * e},{1.2},{1e-7},{0.9999},10,320,{4.0 + e % 3},{80.0 - e % 3},0"));
        var path = dir.File("run/train_log.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    public void Writes_a_png_of_the_promised_size_with_something_drawn(int epochs)
    {
        using var dir = new TempDir();
        var log = WriteLog(dir, epochs);
        var png = dir.File("run/" + TrainingCurvesPlot.FileName);
        TrainingCurvesPlot.Write(log, png);
        var (w, h, inked) = Png.Read(png);
        Assert.Equal((TrainingCurvesPlot.Width, TrainingCurvesPlot.Height), (w, h));
        Assert.InRange(inked, 0.01, 0.5);
        Assert.Empty(Directory.GetFiles(dir.File("run"), "*" + AtomicFile.TempMarker + "*"));
    }

    [Fact]
    public void A_log_without_epochs_is_an_error_naming_the_file()
    {
        using var dir = new TempDir();
        var log = WriteLog(dir, 0);
        var e = Assert.Throws<ByolAException>(() => TrainingCurvesPlot.Write(log, dir.File("run/x.png")));
        Assert.Contains(log, e.Message);
    }
}
