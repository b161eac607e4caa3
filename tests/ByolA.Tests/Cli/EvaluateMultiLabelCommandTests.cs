using System.Globalization;
using ByolA.Cli;
using ByolA.Models;
using ByolA.Reports;
using ByolA.Tests.Probe;
using ByolA.Tests.Support;
using ByolA.Weights;
using static ByolA.Tests.Support.CliRunner;

namespace ByolA.Tests.Cli;

/// <summary>evaluate on multi-label tasks and with an MLP head, end to end on generated tone mixtures.</summary>
public class EvaluateMultiLabelCommandTests
{
    static string RandomWeights(TempDir dir)
    {
        TorchSharp.torch.manual_seed(5);
        using (var model = new AudioNTT2020(64, 512)) EncoderWeights.Save(model, dir.File("rand.pth"));
        return dir.File("rand.pth");
    }

    [Fact]
    public void A_multi_label_task_reports_map_and_auc_per_class_and_names_its_metric_and_head()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.WriteMultiLabel(dir.Path, class2OutOfTest: true);
        Assert.Contains("\"class0,class1\"", File.ReadAllText(metadata));
        var weights = RandomWeights(dir);
        string[] common = ["--metadata", metadata, "--audio-dir", dir.File("audio"), "--work", dir.File("work"), "--results", dir.File("results"),
            "--epochs", "30", "--device", "cpu"];
        var (code, output, err) = Run(["evaluate", weights, "mixes", "1.0", "2", .. common]);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Matches(@"mixes: mAP \d+\.\d\d ± \d+\.\d\d, ROC AUC \d+\.\d\d over 2 run\(s\)", output);
        Assert.Contains("multi-label: ", err);
        Assert.Contains("warning: 1 of 3 classes have no positive test clip and are left out of the mAP (e.g. 'class2')", err);

        var perClass = File.ReadAllLines(dir.File("results/mixes-per-class.csv"));
        Assert.Equal("class,positives,ap_run0,ap_run1,ap,auc_run0,auc_run1,auc", perClass[0]);
        // Positives count test clips holding the class: subsets (k mod 7) + 1 for k = 21…27, class2 removed.
        int[] subsets = [.. Enumerable.Range(21, 7).Select(k => (k % 7 + 1) & 3).Select(s => s == 0 ? 1 : s)];
        Assert.Equal(subsets.Count(s => (s & 1) != 0), int.Parse(perClass[1].Split(',')[1], CultureInfo.InvariantCulture));
        Assert.Equal("class2,0,,,,,,", perClass[3]);
        Assert.False(File.Exists(dir.File("results/mixes-confusion.png")));

        var scores = ScoresCsv.Read(dir.File("results/mixes-scores.csv")).Single();
        Assert.Equal(("mAP", "linear"), (scores[ScoresCsv.MetricColumn], scores[ScoresCsv.HeadColumn]));
        Assert.InRange(double.Parse(scores[ScoresCsv.AucColumn], CultureInfo.InvariantCulture), 0, 1);

        // The MLP head on the same task: its own row, named in the output and in the report.
        (code, output, err) = Run(["evaluate", weights, "mixes", "1.0", "1", "--hidden", "32", .. common]);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("mlp32 probe", output);
        Assert.Equal(["linear", "mlp32"], ScoresCsv.Read(dir.File("results/mixes-scores.csv")).Select(r => r[ScoresCsv.HeadColumn]));
        var summary = ResultsReport.Run(new ReportOptions { ResultsDir = dir.File("results") });
        Assert.StartsWith("| model ", summary.Table);
        Assert.Contains("mixes mAP %", summary.Table.Split('\n')[0]);
        Assert.Equal(["rand", "rand [mlp32]"], summary.Summary.Models);
    }

    [Theory]
    [InlineData("512,x")]
    [InlineData("0")]
    [InlineData("-3")]
    public void A_bad_hidden_list_is_a_usage_error_naming_the_flag(string hidden)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("w.pth"), "x");
        var (code, _, err) = Run("evaluate", dir.File("w.pth"), "us8k", "--hidden", hidden, "--device", "cpu");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: --hidden '" + hidden + "' is not a list of layer sizes", err);
        Assert.Single(err.Split('\n'), l => l.StartsWith("error:"));
    }

    [Fact]
    public void A_single_label_known_task_with_a_several_label_cell_is_refused_in_one_line()
    {
        using var dir = new TempDir();
        var work = dir.File("work");
        Directory.CreateDirectory(Path.Combine(work, "16k", "us8k"));
        Directory.CreateDirectory(Path.Combine(work, "metadata"));
        File.WriteAllText(Path.Combine(work, "metadata", "us8k.csv"), "file_name,label,fold\na.wav,dog,1\nb.wav,\"dog,siren\",2\n");
        var weights = RandomWeights(dir);
        var (code, _, err) = Run("evaluate", weights, "us8k", "--work", work, "--results", dir.File("results"), "--device", "cpu");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("row 'b.wav' has the label cell 'dog,siren' holding several labels, but us8k is a single-label task", err);
        Assert.Single(err.Trim().Split('\n'));
    }
}
