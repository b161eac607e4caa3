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
            "--lr-encoder", "0.0001", "--precision", "bf16", .. Common(dir, metadata)]);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Matches(@"mixes: mAP \d+\.\d\d ± \d+\.\d\d, ROC AUC \d+\.\d\d over 1 run\(s\) .* rand finetune, linear head", output);
        var scores = File.ReadAllLines(dir.File("results/mixes-scores.csv"));
        Assert.Contains(",rand finetune,", scores[1]);
        Assert.EndsWith(",linear,mAP," + scores[1].Split(',')[^1], scores[1]);
        Assert.StartsWith("class,positives,ap_run0", File.ReadAllLines(dir.File("results/mixes-finetune-per-class.csv"))[0]);
        // --precision is the config key, as in train: said at the start.
        Assert.Contains("device cpu (bf16)", err);
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
    public void A_fold_task_fine_tunes_once_per_held_out_fold_and_scores_the_mean_of_the_folds()
    {
        using var dir = new TempDir();
        var weights = RandomWeights(dir);
        var folds = ToneTask.Write(dir.Path, folds: 2);
        var (code, output, err) = Run(["finetune", weights, "tones", "1.0", "--epochs", "1", "--batch", "8", "--checkpoints", dir.File("ck"),
            "--save-model", dir.File("folds.byolac"), .. Common(dir, folds)]);
        Assert.True(code == ExitCodes.Ok, err);
        // One fine-tuning per fold left out, each with its own checkpoint, and one more on every fold for the kept classifier.
        var foldScores = System.Text.RegularExpressions.Regex.Matches(err, @"run0 fold(\d): test accuracy (\d+\.\d\d)")
            .Select(m => (Fold: m.Groups[1].Value, Score: double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(["1", "2"], foldScores.Select(f => f.Fold));
        Assert.True(File.Exists(dir.File("ck/run0-fold1.pth")) && File.Exists(dir.File("ck/run0-fold2.pth")) && File.Exists(dir.File("ck/every-fold.pth")));
        // The run's score is the mean over folds, as evaluate's; each fold holds half of the 24 clips, so accuracies are k/12.
        var row = File.ReadAllLines(dir.File("results/tones-scores.csv"))[1].Split(',');
        Assert.Contains("rand finetune", row);
        double run0 = double.Parse(output.Split('[', ']')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(foldScores.Average(f => f.Score), run0, 0.011);
        // Every clip is a test clip once: the per-class support is the whole task.
        var perClass = File.ReadAllLines(dir.File("results/tones-finetune-per-class.csv"));
        Assert.All(perClass.Skip(1), line => Assert.Equal("8", line.Split(',')[1]));
        using var classifier = ByolA.Probe.ByolAClassifier.Load(dir.File("folds.byolac"));
        Assert.Equal(3, classifier.Classes.Count);
    }

    [Fact]
    public void One_class_tasks_leaking_classes_and_unknown_optimisers_are_refused_in_one_line()
    {
        using var dir = new TempDir();
        var weights = RandomWeights(dir);
        var rows = File.ReadAllLines(ToneTask.Write(dir.Path)).Skip(1).Select(l => l.Split(',')).ToList();
        var one = dir.File("one.csv");
        File.WriteAllLines(one, ["file_name,label,split", .. rows.Select(c => $"{c[0]},same,{c[2]}")]);
        var (code, _, err) = Run(["finetune", weights, "tones", "1.0", .. Common(dir, one)]);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("a probe needs at least two classes", err);
        Assert.Single(err.Trim().Split('\n'), l => l.StartsWith("error:"));

        // A class seen only at test time could never be predicted: refused as evaluate refuses it.
        var leak = dir.File("leak.csv");
        File.WriteAllLines(leak, ["file_name,label,split", .. rows.Select(c => c[1] == "class2" && c[2] == "train" ? $"{c[0]},class2,test" : string.Join(',', c))]);
        (code, _, err) = Run(["finetune", weights, "tones", "1.0", .. Common(dir, leak)]);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("class 'class2' appears in the", err);
        Assert.Contains("but not in train", err);

        (code, _, err) = Run(["finetune", weights, "tones", "--optimizer", "adam", .. Common(dir, one)]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--optimizer 'adam' is not an optimiser; give sgd, adamw or lars", err);

        // Two precisions at once, as train refuses them.
        (code, _, err) = Run(["finetune", weights, "tones", "--tf32", "--precision", "bf16", .. Common(dir, one)]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--tf32 asks for tf32 but --precision is bf16; ask for one precision", err);
    }
}
