using ByolA.Tests.Probe;
using ByolA.Weights;
using static ByolA.Tests.Support.CliRunner;
using ByolA.Cli;
using ByolA.Models;
using ByolA.Tests.Support;

namespace ByolA.Tests.Cli;

public class EvaluateCommandTests
{
    [Fact]
    public void User_task_runs_end_to_end_and_appends_scores()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, train: 3, valid: 1, test: 2);
        TorchSharp.torch.manual_seed(5);
        using (var model = new AudioNTT2020(64, 512)) EncoderWeights.Save(model, dir.File("rand.pth"));
        var (code, output, err) = Run("evaluate", dir.File("rand.pth"), "mytones", "1.0", "2", "--metadata", metadata,
            "--audio-dir", dir.File("audio"), "--work", dir.File("work"), "--results", dir.File("results"), "--epochs", "20", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Matches(@"mytones: \d+\.\d\d% ± \d+\.\d\d over 2 run\(s\)", output);
        Assert.Equal(2, File.ReadAllLines(dir.File("results/mytones-scores.csv")).Length);
        Assert.Contains("norm stats", err);
        // Worst classes follow the mean ± std line; the per-class counts cover the test split exactly.
        var lines = output.Split('\n');
        int meanLine = Array.FindIndex(lines, l => l.StartsWith("mytones: "));
        Assert.StartsWith("worst classes: ", lines[meanLine + 1]);
        var testRows = File.ReadAllLines(metadata).Skip(1).Count(l => l.EndsWith(",test"));
        var perClass = File.ReadAllLines(dir.File("results/mytones-per-class.csv"));
        Assert.Equal("class,support,run0,run1,mean", perClass[0]);
        Assert.Equal(testRows, perClass.Skip(1).Sum(l => int.Parse(l.Split(',')[1])));
        var png = Png.Read(dir.File("results/mytones-confusion.png"));
        Assert.True(png.Width > 200 && png.Height > 200 && png.Inked > 0.01);
    }

    [Fact]
    public void Unknown_task_is_a_usage_error_listing_the_known_tasks()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("w.pth"), "x");
        var (code, _, err) = Run("evaluate", dir.File("w.pth"), "esc99", "--device", "cpu");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("TASK 'esc99' is not a known task; known tasks: spcv2, spcv2-12, spcv1, us8k, nsynth, vc1, voxforge, fsdnoisy18k, esc50, gtzan, cremad, fsd50k, as20k", err);
        Assert.Contains("give --metadata and --audio-dir", err);
    }

    [Fact]
    public void No_task_and_no_metadata_is_a_usage_error()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("w.pth"), "x");
        var (code, _, err) = Run("evaluate", dir.File("w.pth"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--metadata", err);
    }

    [Fact]
    public void Help_explains_every_option()
    {
        var (code, output, _) = Run("evaluate", "--help");
        Assert.Equal(ExitCodes.Ok, code);
        foreach (var option in new[] { "--epochs", "--lr", "--seed", "--no-early-stopping", "--batch", "--metadata", "--audio-dir", "--work", "--results", "--no-cache", "unit-sec", "repeat" })
            Assert.Contains(option, output);
    }
}
