using ByolA.Cli;
using ByolA.Models;
using ByolA.Tests.Probe;
using ByolA.Tests.Support;
using ByolA.Weights;
using static ByolA.Tests.Support.CliRunner;

namespace ByolA.Tests.Cli;

/// <summary>byola finetune end to end on generated tones: multi-label scores, and the one-line refusals.</summary>
public class FinetuneCommandTests
{
    static string RandomWeights(TempDir dir)
    {
        TorchSharp.torch.manual_seed(5);
        using (var model = new AudioNTT2020(64, 64)) EncoderWeights.Save(model, dir.File("rand.pth"));
        return dir.File("rand.pth");
    }

    static string[] Common(TempDir dir, string metadata) =>
        ["--metadata", metadata, "--audio-dir", dir.File("audio"), "--work", dir.File("work"), "--results", dir.File("results"), "--device", "cpu"];

    [Fact]
    public void A_multi_label_task_fine_tunes_with_adamw_and_reports_map_per_class()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.WriteMultiLabel(dir.Path, train: 7, valid: 7, test: 7);
        var (code, output, err) = Run(["finetune", RandomWeights(dir), "mixes", "1.0", "--epochs", "2", "--batch", "4", "--optimizer", "adamw",
            "--lr-encoder", "0.0001", .. Common(dir, metadata)]);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Matches(@"mixes: mAP \d+\.\d\d ± \d+\.\d\d, ROC AUC \d+\.\d\d over 1 run\(s\) .* rand finetune, linear head", output);
        var scores = File.ReadAllLines(dir.File("results/mixes-scores.csv"));
        Assert.Contains(",rand finetune,", scores[1]);
        Assert.EndsWith(",linear,mAP," + scores[1].Split(',')[^1], scores[1]);
        Assert.StartsWith("class,positives,ap_run0", File.ReadAllLines(dir.File("results/mixes-finetune-per-class.csv"))[0]);
    }

    [Fact]
    public void Resume_continues_from_the_checkpoint_and_refuses_other_options()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, train: 3, valid: 1, test: 1);
        var weights = RandomWeights(dir);
        string[] args = ["finetune", weights, "tones", "1.0", "--epochs", "2", "--batch", "4", "--checkpoints", dir.File("ck"), .. Common(dir, metadata)];
        var (code, first, err) = Run(args);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.True(File.Exists(dir.File("ck/run0.pth")));
        // The checkpoint holds the finished run: resuming it trains no further and gives the same score line.
        (code, var again, err) = Run([.. args, "--resume"]);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal(first.Split('\n')[0], again.Split('\n')[0]);
        (code, _, err) = Run([.. args, "--resume", "--lr", "0.01"]);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("run0.pth: the checkpoint was written with other options (", err);
        Assert.Contains("Resume with the same options, or start without resuming", err);
    }

    [Fact]
    public void Fold_tasks_one_class_tasks_and_unknown_optimisers_are_refused_in_one_line()
    {
        using var dir = new TempDir();
        var weights = RandomWeights(dir);
        var folds = ToneTask.Write(dir.Path, folds: 2);
        var (code, _, err) = Run(["finetune", weights, "tones", "1.0", "--epochs", "1", .. Common(dir, folds)]);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("leave-one-fold-out task; fine-tuning supports train/valid/test splits so far", err);
        Assert.Single(err.Trim().Split('\n'), l => l.StartsWith("error:"));

        var one = dir.File("one.csv");
        File.WriteAllLines(one, ["file_name,label,split", .. File.ReadAllLines(ToneTask.Write(dir.Path)).Skip(1)
            .Select(l => l.Split(',')).Select(c => $"{c[0]},same,{c[2]}")]);
        (code, _, err) = Run(["finetune", weights, "tones", "1.0", .. Common(dir, one)]);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("a probe needs at least two classes", err);

        (code, _, err) = Run(["finetune", weights, "tones", "--optimizer", "adam", .. Common(dir, one)]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--optimizer 'adam' is not an optimiser; give sgd, adamw or lars", err);
    }
}
