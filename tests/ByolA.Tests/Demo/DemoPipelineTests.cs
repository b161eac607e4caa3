using ByolA.Weights;
using ByolA.Cli;
using ByolA.Configuration;
using ByolA.Demo;
using ByolA.Learning;
using ByolA.Models;
using ByolA.Reports;
using ByolA.Tests.Support;
using TorchSharp;

namespace ByolA.Tests.Demo;

[Collection(ByolA.Tests.Learning.TorchRngCollection.Name)]
public class DemoPipelineTests
{
    [Fact]
    public void Cli_demo_trains_probes_every_encoder_prints_relative_paths_and_the_table_last_and_repeats_itself_exactly()
    {
        using var tmp = new TempDir();
        var previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = tmp.Path;
        try
        {
            // Any AudioNTT2020 state dict under an official name stands in for NTT's file (feature_d comes from the shapes).
            Directory.CreateDirectory("pretrained_weights");
            torch.random.manual_seed(3);
            using (var encoder = Trainer.CreateEncoder(ByolAConfig.V1 with { FeatureD = 32 }))
                EncoderWeights.Save(encoder, Path.Combine("pretrained_weights", DemoOptions.OfficialWeightNames[0]));
            string[] Args(string outDir) =>
            [
                "demo", "--out", outDir, "--epochs", "2", "--train-per-class", "2", "--valid-per-class", "1", "--test-per-class", "2",
                "--unlabelled", "8", "--repeat", "2", "--seed", "7", "--device", "cpu",
                "--set", "feature_d=32", "--set", "proj_dim=16", "--set", "proj_size=8", "--set", "bs=4",
            ];
            var (code, output, _) = CliRunner.Run(Args("a"));
            var lines = output.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
            // The verdict and the exit code follow the scores the run appended: pretrained's mean against random-init's.
            var scoreLines = File.ReadAllLines(Path.Combine("a", "results", "demo-sounds-scores.csv"));
            var columns = scoreLines[0].Split(',');
            int modelAt = Array.IndexOf(columns, "model"), meanAt = Array.IndexOf(columns, "mean");
            var means = scoreLines.Skip(1).Select(l => l.Split(','))
                .ToDictionary(f => f[modelAt], f => double.Parse(f[meanAt], System.Globalization.CultureInfo.InvariantCulture));
            bool beat = means["byol-a-pretrained"] > means["random-init"];
            Assert.Equal(beat ? ExitCodes.Ok : ExitCodes.Failure, code);
            Assert.Equal(!beat, lines[^1].Contains("NOT"));
            Assert.StartsWith("BYOL-A pretraining", lines[^1]);
            Assert.StartsWith("| AudioNTT2020-BYOLA-64x96d512 ", lines[^2]);
            Assert.StartsWith("| random-init ", lines[^3]);
            Assert.StartsWith("| byol-a-pretrained ", lines[^4]);
            Assert.StartsWith("| encoder ", lines[^6]);
            Assert.Contains("dataset:            " + Path.Combine("a", "data", "metadata.csv"), lines);
            Assert.Contains("official weights:   " + Path.Combine("pretrained_weights", DemoOptions.OfficialWeightNames[0]), lines);
            Assert.Contains("picture:            " + Path.Combine("a", DemoPlot.FileName), lines);
            Assert.DoesNotContain(tmp.Path, output);
            // The picture: loss curve and one bar per encoder, at the size that fits the longest encoder name.
            var (w, h, inked) = Png.Read(Path.Combine("a", DemoPlot.FileName));
            Assert.Equal(DemoPlot.Size(["byol-a-pretrained", "random-init", Path.GetFileNameWithoutExtension(DemoOptions.OfficialWeightNames[0])]), (w, h));
            Assert.InRange(inked, 0.03, 0.6);

            Assert.Equal(2, File.ReadAllLines(Path.Combine("a", "checkpoints", Trainer.LogFileName)).Length - 1);
            var scores = File.ReadAllLines(Path.Combine("a", "results", "demo-sounds-scores.csv"));
            Assert.Equal(["byol-a-pretrained", "random-init", "AudioNTT2020-BYOLA-64x96d512"], scores.Skip(1).Select(l => l.Split(',')[2]));
            var meta = File.ReadAllLines(Path.Combine("a", "data", "metadata.csv"));
            int kinds = Enum.GetValues<ByolA.Tasks.Synthetic.SoundKind>().Length;
            Assert.Equal(1 + kinds * 5, meta.Length);   // kinds × (2 train + 1 valid + 2 test)
            Assert.Equal(2 * kinds, meta.Count(l => l.EndsWith(",test")));

            var (_, again, _) = CliRunner.Run(Args("b"));
            static string[] Table(string text) => text.TrimEnd().Split('\n')[^6..];
            Assert.Equal(Table(output), Table(again));
            static byte[] Weights(string dir) => File.ReadAllBytes(Assert.Single(Directory.GetFiles(Path.Combine(dir, "checkpoints"), "BYOLA-*.pth")));
            Assert.Equal(Weights("a"), Weights("b"));
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    [Fact]
    public void Bad_options_are_rejected_with_the_value_named()
    {
        Assert.Contains("Epochs must be in [1, 10000] (got 0)", Assert.Throws<OptionException>(() => new DemoOptions { Epochs = 0 }.Validate()).Message);
        Assert.Contains("UnlabelledClips must be at least one batch", Assert.Throws<OptionException>(() => new DemoOptions { UnlabelledClips = 3 }.Validate()).Message);
        Assert.Contains("TestPerClass", Assert.Throws<OptionException>(() => new DemoOptions { TestPerClass = 0 }.Validate()).Message);
    }

    [Fact]
    public void Every_count_is_bounded_before_anything_is_generated()
    {
        using var tmp = new TempDir();
        foreach (var (flag, value) in new[] { ("--train-per-class", "1000000000"), ("--valid-per-class", "2147483647"), ("--unlabelled", "1000000000"),
                                             ("--repeat", "1000000000"), ("--probe-batch", "2000000000"), ("--test-per-class", "9990") })
        {
            var (code, _, err) = CliRunner.Run("demo", "--out", tmp.File("d"), flag, value, "--data-only");
            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains(flag, err);
            Assert.Contains("at most", err);
        }
        Assert.False(Directory.Exists(tmp.File("d")));
    }

    [Fact]
    public void The_demo_writes_only_into_a_new_empty_or_earlier_demo_folder()
    {
        using var tmp = new TempDir();
        string[] Args(string outDir) => ["demo", "--data-only", "--out", outDir, "--train-per-class", "1", "--valid-per-class", "1",
            "--test-per-class", "1", "--unlabelled", "2", "--set", "bs=2"];
        // The user's own folder that happens to hold data/metadata.csv: refused, nothing touched.
        var mine = tmp.File("mine");
        Directory.CreateDirectory(Path.Combine(mine, "data"));
        File.WriteAllText(Path.Combine(mine, "data", "metadata.csv"), "my,own,file\n");
        var (code, _, err) = CliRunner.Run(Args(mine));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--out", err);
        Assert.Contains("no demo wrote", err);
        Assert.Equal("my,own,file\n", File.ReadAllText(Path.Combine(mine, "data", "metadata.csv")));
        Assert.Equal(["metadata.csv"], Directory.GetFileSystemEntries(mine, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Where(n => n != "data"));
        // A file given as the folder: one line, not an exception.
        File.WriteAllText(tmp.File("file"), "x");
        (code, _, err) = CliRunner.Run(Args(tmp.File("file")));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("is a file, not a folder", err);
        Assert.Equal("x", File.ReadAllText(tmp.File("file")));
        // A new folder becomes the demo's, and a rerun into it (the demo's own files) is allowed; so is an empty one.
        Assert.Equal(ExitCodes.Ok, CliRunner.Run(Args(tmp.File("new"))).Code);
        Assert.True(File.Exists(Path.Combine(tmp.File("new"), DemoFolder.MarkerName)));
        Assert.Equal(ExitCodes.Ok, CliRunner.Run(Args(tmp.File("new"))).Code);
        Directory.CreateDirectory(tmp.File("empty"));
        Assert.Equal(ExitCodes.Ok, CliRunner.Run(Args(tmp.File("empty"))).Code);
    }
}
