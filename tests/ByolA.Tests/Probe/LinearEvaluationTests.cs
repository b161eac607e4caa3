using ByolA.Probe;
using ByolA.Weights;
using ByolA.Models;
using ByolA.Tests.Support;

namespace ByolA.Tests.Probe;

public class LinearEvaluationTests
{
    const string D512 = "reference/AudioNTT2020-BYOLA-64x96d512.pth";

    static EvaluateOptions Options(TempDir dir, string weights, string metadata, int repeat = 1) => new()
    {
        Weights = weights,
        MetadataPath = metadata,
        AudioDir = dir.File("audio"),
        UnitSec = 1.0,
        Repeat = repeat,
        WorkRoot = dir.File("work"),
        ResultsDir = dir.File("results"),
    };

    static string RandomWeights(TempDir dir)
    {
        TorchSharp.torch.manual_seed(3);
        using var model = new AudioNTT2020(64, 512);
        var path = dir.File("random-d512.pth");
        EncoderWeights.Save(model, path);
        return path;
    }

    [SharedDataFact(D512)]
    public void Official_weights_separate_a_tone_task_and_results_are_appended_and_cached()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path);
        var result = LinearEvaluation.Run(Options(dir, SharedData.OfficialD512Weights, metadata, repeat: 2));
        Assert.Equal(2, result.Accuracies.Count);
        Assert.All(result.Accuracies, a => Assert.True(a >= 0.9, $"accuracy {a}"));
        Assert.Equal(("tones", 45, 3, 512, false), (result.Task, result.Clips, result.Classes, result.FeatureD, result.EmbeddingsFromCache));
        Assert.Equal(result.Accuracies.Average(), result.Mean, 12);

        var lines = File.ReadAllLines(dir.File("results/tones-scores.csv"));
        Assert.Equal("run0,run1,model,mean,std,head,metric", lines[0]);
        Assert.Contains(",AudioNTT2020-BYOLA-64x96d512,", lines[1]);

        // A rerun reuses the cached embeddings and, with the same seed, reproduces the scores exactly.
        var again = LinearEvaluation.Run(Options(dir, SharedData.OfficialD512Weights, metadata, repeat: 2));
        Assert.True(again.EmbeddingsFromCache);
        Assert.Equal(result.Accuracies, again.Accuracies);
        Assert.Equal(3, File.ReadAllLines(dir.File("results/tones-scores.csv")).Length);
    }

    [SharedDataFact(D512)]
    public void Labels_unrelated_to_the_audio_score_near_chance()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, train: 20, valid: 5, test: 15, shuffleLabels: true);
        var result = LinearEvaluation.Run(Options(dir, SharedData.OfficialD512Weights, metadata) with { UseCache = false, ResultsDir = null });
        Assert.InRange(result.Mean, 0.0, 0.6);
    }

    [Fact]
    public void Random_weights_run_end_to_end_and_a_weight_change_invalidates_the_cache()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, train: 4, valid: 2, test: 2);
        var weights = RandomWeights(dir);
        var first = LinearEvaluation.Run(Options(dir, weights, metadata) with { ModelName = "random" });
        Assert.False(first.EmbeddingsFromCache);
        // 2 test clips of each of 3 tones: every run's accuracy counts whole clips, and the mean is theirs.
        int testClips = 2 * ToneTask.Frequencies.Length;
        Assert.All(first.Accuracies, a => Assert.Equal(Math.Round(a * testClips), a * testClips, 9));
        Assert.Equal(first.Accuracies.Average(), first.Mean, 12);
        Assert.True(LinearEvaluation.Run(Options(dir, weights, metadata) with { ModelName = "random" }).EmbeddingsFromCache);

        TorchSharp.torch.manual_seed(4);
        using (var other = new AudioNTT2020(64, 512)) EncoderWeights.Save(other, weights);
        Assert.False(LinearEvaluation.Run(Options(dir, weights, metadata) with { ModelName = "random" }).EmbeddingsFromCache);
    }

    [SharedDataFact(D512)]
    public void Leave_one_fold_out_task_averages_folds()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, folds: 3);
        var result = LinearEvaluation.Run(Options(dir, SharedData.OfficialD512Weights, metadata));
        Assert.True(result.Mean >= 0.9, $"accuracy {result.Mean}");
        Assert.Equal(36, result.Clips);
    }

    [Fact]
    public void Missing_audio_is_counted_and_the_first_files_named()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, train: 2, valid: 1, test: 1);
        foreach (var k in new[] { "000", "001", "002" }) File.Delete(dir.File($"audio/c1/{k}.wav"));
        File.Delete(dir.File("audio/c2/003.wav"));
        var e = Assert.Throws<ByolAException>(() => LinearEvaluation.Run(Options(dir, RandomWeights(dir), metadata)));
        Assert.Contains("4 of 12 listed audio files are missing", e.Message);
        Assert.Contains("c1/000.wav, c1/001.wav, c1/002.wav", e.Message);
        Assert.DoesNotContain("c2/003.wav", e.Message);
    }

    [Fact]
    public void Weights_that_are_not_an_encoder_are_rejected_with_the_file_name()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, train: 2, valid: 1, test: 1);
        var bad = dir.File("not-an-encoder.pth");
        EncoderWeights.Save([new("fc.weight", TorchSharp.torch.zeros(3, 7))], bad);
        var e = Assert.Throws<ByolAException>(() => LinearEvaluation.Run(Options(dir, bad, metadata)));
        Assert.Contains("not-an-encoder.pth", e.Message);
    }

    [Fact]
    public void Unknown_task_and_incomplete_user_task_options_are_errors()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("w.pth"), "x");
        ByolAException e = Assert.Throws<OptionException>(() => new EvaluateOptions { Weights = dir.File("w.pth"), Task = "esc99" }.Validate());
        Assert.Contains("known tasks: spcv2, spcv2-12", e.Message);
        var missing = Assert.Throws<OptionException>(() => new EvaluateOptions { Weights = dir.File("w.pth"), MetadataPath = dir.File("m.csv") }.Validate());
        Assert.Equal([nameof(EvaluateOptions.MetadataPath), nameof(EvaluateOptions.AudioDir)], missing.Options);
        Assert.Contains("MetadataPath needs AudioDir", missing.Message);
        e = Assert.Throws<ByolAException>(() => new EvaluateOptions { Weights = dir.File("w.pth"), Task = "us8k", WorkRoot = dir.Path }.Validate() is var o ? LinearEvaluation.Run(o) : null);
        Assert.Contains("byola preprocess us8k", e.Message);
    }

    [Fact]
    public void Known_tasks_default_to_their_unit_seconds_and_work_paths()
    {
        var o = new EvaluateOptions { Weights = "w.pth", Task = "us8k", WorkRoot = "w" };
        Assert.Equal(4.0, o.ResolvedUnitSec);
        Assert.Equal(Path.Combine("w", "metadata", "us8k.csv"), o.ResolvedMetadataPath);
        Assert.Equal(Path.Combine("w", "16k", "us8k"), o.ResolvedAudioDir);
        Assert.Equal(0.95, new EvaluateOptions { Weights = "w.pth", MetadataPath = "my.csv", AudioDir = "a" }.ResolvedUnitSec);
        Assert.Equal("my", new EvaluateOptions { Weights = "w.pth", MetadataPath = "x/my.csv", AudioDir = "a" }.TaskName);
    }
}
