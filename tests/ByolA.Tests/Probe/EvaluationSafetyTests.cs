using ByolA.Audio;
using ByolA.Tests.Embedding;
using ByolA.Embedding;
using ByolA.Probe;
using ByolA.Weights;
using ByolA.Cli;
using ByolA.Configuration;
using ByolA.Data;
using ByolA.Models;
using ByolA.Tests.Support;
using static ByolA.Tests.Support.CliRunner;
using static TorchSharp.torch;

namespace ByolA.Tests.Probe;

/// <summary>Stale or poisoned results are never reported as success: cache key, non-finite weights, stats and embeddings.</summary>
[Collection(ByolA.Tests.Learning.TorchRngCollection.Name)]
public class EvaluationSafetyTests
{
    /// <summary>One run of a <see cref="ToneTask"/> below <paramref name="dir"/>, results and work folders inside it.</summary>
    internal static EvaluateOptions Options(TempDir dir, string weights, string metadata) => new()
    {
        Weights = weights,
        MetadataPath = metadata,
        AudioDir = dir.File("audio"),
        UnitSec = 1.0,
        Repeat = 1,
        WorkRoot = dir.File("work"),
        ResultsDir = dir.File("results"),
        ModelName = "tiny",
    };

    /// <summary>A tiny v1 encoder (d = 32) whose parameters <paramref name="poison"/> may edit before saving with our writer.</summary>
    static string Weights(TempDir dir, string name, Action<Dictionary<string, Tensor>>? poison = null)
    {
        manual_seed(5);
        using var model = new AudioNTT2020(64, 32);
        var state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        poison?.Invoke(state);
        var path = dir.File(name);
        EncoderWeights.Save(state, path);
        return path;
    }

    [Fact]
    public void Audio_replaced_under_the_same_names_is_embedded_again_not_taken_from_the_cache()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, train: 2, valid: 1, test: 1);
        var weights = Weights(dir, "w.pth");
        var first = LinearEvaluation.Run(Options(dir, weights, metadata));
        Assert.False(first.EmbeddingsFromCache);
        Assert.True(LinearEvaluation.Run(Options(dir, weights, metadata)).EmbeddingsFromCache);

        // Same names, same sizes, new content (noise); written later, as a user replacing the files would.
        var rng = new Random(9);
        foreach (var file in Directory.GetFiles(dir.File("audio"), "*.wav", SearchOption.AllDirectories))
        {
            var time = File.GetLastWriteTimeUtc(file);
            WavFile.WritePcm16(file, Enumerable.Range(0, 16000).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray(), 16000);
            File.SetLastWriteTimeUtc(file, time.AddSeconds(2));
        }
        Assert.False(LinearEvaluation.Run(Options(dir, weights, metadata)).EmbeddingsFromCache);
    }

    [Fact]
    public void The_cache_key_changes_with_the_size_or_modification_time_of_any_listed_file()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("w.pth"), "w");
        File.WriteAllText(dir.File("m.csv"), "m");
        var files = new[] { dir.File("a.wav"), dir.File("b.wav") };
        foreach (var f in files) File.WriteAllBytes(f, new byte[100]);
        string Key() => EmbeddingCache.For(dir.Path, "t", "w", dir.File("w.pth"), dir.File("m.csv"), dir.Path, files, 1.0, ByolAConfig.V1, 42).Path;
        var original = Key();
        Assert.Equal(original, Key());
        var time = File.GetLastWriteTimeUtc(files[1]);
        File.SetLastWriteTimeUtc(files[1], time.AddSeconds(1));
        var touched = Key();
        Assert.NotEqual(original, touched);
        File.WriteAllBytes(files[0], new byte[101]);
        File.SetLastWriteTimeUtc(files[0], File.GetLastWriteTimeUtc(files[1]));
        Assert.NotEqual(touched, Key());
    }

    [Fact]
    public void Weights_with_a_nan_parameter_are_refused_at_load_naming_the_tensor()
    {
        using var dir = new TempDir();
        var path = Weights(dir, "nan.pth", s => s["fc.0.weight"][3, 7] = float.NaN);
        var e = Assert.Throws<ByolAException>(() => EncoderLoader.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("fc.0.weight holds 1 NaN or infinite value(s)", e.Message);
        var inf = Weights(dir, "inf.pth", s => s["features.0.bias"][0] = float.PositiveInfinity);
        Assert.Contains("features.0.bias", Assert.Throws<ByolAException>(() => EncoderLoader.Load(inf)).Message);
    }

    [Theory]
    [InlineData("0,1e-45")]
    [InlineData("1e300,1")]
    [InlineData("0,1e300")]
    public void Stats_that_cannot_give_finite_normalised_values_are_refused(string stats)
    {
        Assert.Throws<ByolAException>(() => NormStats.Parse(stats));
        using var dir = new TempDir();
        var weights = Weights(dir, "w.pth");
        var clips = EmbedderTestAudio.WriteClips(dir.File("audio"), 0.5);
        var (code, _, err) = Run("embed", weights, clips[0], "--out", dir.File("e.npy"), "--stats", stats, "--device", "cpu");
        Assert.NotEqual(ExitCodes.Ok, code);
        Assert.Contains("normalisation stats", err);
        Assert.False(File.Exists(dir.File("e.npy")));
    }

    [Fact]
    public void Non_finite_embeddings_fail_embed_and_evaluate_without_writing_a_row()
    {
        using var dir = new TempDir();
        // Finite but enormous weights: the forward pass overflows to infinity.
        var weights = Weights(dir, "huge.pth", s => s["fc.3.weight"].fill_(3e38f));
        var clips = EmbedderTestAudio.WriteClips(dir.File("clips"), 0.5, 0.7);
        var (code, _, err) = Run("embed", weights, dir.File("clips"), "--out", dir.File("e.npy"), "--stats", "-6,4", "--device", "cpu");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("NaN or infinite", err);
        Assert.False(File.Exists(dir.File("e.npy")));

        var metadata = ToneTask.Write(dir.Path, train: 2, valid: 1, test: 1);
        var e = Assert.Throws<ByolAException>(() => LinearEvaluation.Run(Options(dir, weights, metadata)));
        Assert.Contains("NaN or infinite", e.Message);
        Assert.False(File.Exists(dir.File("results/tones-scores.csv")));
    }

    [Fact]
    public void Evaluate_refuses_a_file_of_another_kind_as_scores_csv_before_embedding()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, train: 2, valid: 1, test: 1);
        Directory.CreateDirectory(dir.File("results"));
        File.WriteAllText(dir.File("results/tones-scores.csv"), "my notes, not scores\n");
        var e = Assert.Throws<ByolAException>(() => LinearEvaluation.Run(Options(dir, Weights(dir, "w.pth"), metadata)));
        Assert.Contains("not a scores CSV", e.Message);
        Assert.Equal("my notes, not scores\n", File.ReadAllText(dir.File("results/tones-scores.csv")));
        Assert.False(Directory.Exists(dir.File("work/embeddings")));
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData(".hidden")]
    public void A_task_name_that_would_leave_its_folder_or_hide_its_scores_is_refused(string task)
    {
        using var dir = new TempDir();
        var weights = Weights(dir, "w.pth");
        Directory.CreateDirectory(dir.File("audio"));
        File.WriteAllText(dir.File("meta.csv"), "file_name,label,split\n");
        // As the task's own name, and as the name a metadata file gives (".." from "...csv").
        var (code, _, err) = Run("evaluate", weights, task, "--metadata", dir.File("meta.csv"), "--audio-dir", dir.File("audio"), "--work", dir.File("work"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("must not start with a dot", err);
        File.Copy(dir.File("meta.csv"), dir.File(task + ".csv"));
        var e = Assert.Throws<OptionException>(() => (Options(dir, weights, dir.File(task + ".csv")) with { Config = ByolAConfig.V1 }).Validate());
        Assert.Equal(nameof(EvaluateOptions.MetadataPath), e.Option);
        Assert.False(Directory.Exists(dir.File("work")));
    }
}
