using ByolA.Probe;
using ByolA.Tasks;
using ByolA.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Tests.Probe;

public class ProbeProtocolTests
{
    /// <summary>Embeddings (N, d) for <paramref name="rows"/>: class c sits around centre c, spread <paramref name="noise"/>.</summary>
    static Tensor Embed(TaskMetadata m, double noise, ulong seed = 1)
    {
        var g = new Generator(seed);
        var centres = randn([m.Classes.Count, 12], generator: g) * 3;
        var y = tensor(m.Rows.Select(r => (long)m.Classes.ToList().IndexOf(r.Label)).ToArray());
        return centres.index_select(0, y) + randn([m.Rows.Count, 12], generator: g) * noise;
    }

    static TaskMetadata SplitTask(params (string Split, int PerClass)[] splits) =>
        new(splits.SelectMany(s => Enumerable.Range(0, 3 * s.PerClass).Select(i => new MetadataRow($"{s.Split}/{i}.wav", "c" + i % 3, s.Split))).ToList());

    static TaskMetadata FoldTask(int folds, int perClass) =>
        new(Enumerable.Range(1, folds).SelectMany(f => Enumerable.Range(0, 3 * perClass).Select(i => new MetadataRow($"fold{f}/{i}.wav", "c" + i % 3, Fold: f))).ToList());

    [Fact]
    public void Separable_split_task_scores_full_accuracy()
    {
        var m = SplitTask(("train", 20), ("valid", 5), ("test", 5));
        Assert.Equal(1.0, ProbeProtocol.Evaluate(m, Embed(m, 0.3), new ProbeOptions(), seed: 42));
    }

    [Fact]
    public void Noise_embeddings_score_near_chance()
    {
        // Test embeddings independent of the labels score 1/3 in expectation whatever the probe learned; over 5 draws of
        // 180 test clips the mean's standard deviation is about 0.016, so 0.1 is six of them.
        var m = SplitTask(("train", 60), ("valid", 20), ("test", 60));
        var scores = Enumerable.Range(0, 5).Select(seed =>
        {
            using var noise = randn([m.Rows.Count, 12], generator: new Generator((ulong)(100 + seed)));
            return ProbeProtocol.Evaluate(m, noise, new ProbeOptions(), seed: seed);
        }).ToList();
        Assert.True(Math.Abs(scores.Average() - 1.0 / 3) < 0.1, $"mean {scores.Average():F3} over {string.Join(", ", scores.Select(s => s.ToString("F3")))}");
    }

    [Fact]
    public void Leave_one_fold_out_averages_over_folds()
    {
        var m = FoldTask(folds: 4, perClass: 6);
        Assert.Equal(1.0, ProbeProtocol.Evaluate(m, Embed(m, 0.3), new ProbeOptions(), seed: 42));
        // Fold 4 holds pure noise in place of its embeddings: only that fold drops, so the mean lies in between.
        var x = Embed(m, 0.3);
        x[TensorIndex.Slice(54, 72)] = randn([18, 12], generator: new Generator(9)) * 6;
        double score = ProbeProtocol.Evaluate(m, x, new ProbeOptions(), seed: 42);
        Assert.InRange(score, 0.75, 0.95);
    }

    [Fact]
    public void Split_task_without_valid_holds_out_from_train()
    {
        var m = SplitTask(("train", 20), ("test", 5));
        Assert.Equal(1.0, ProbeProtocol.Evaluate(m, Embed(m, 0.3), new ProbeOptions(), seed: 7));
    }

    [Fact]
    public void Test_class_missing_from_train_is_an_error()
    {
        var rows = SplitTask(("train", 4), ("test", 2)).Rows.Append(new MetadataRow("test/new.wav", "zebra", "test")).ToList();
        var e = Assert.Throws<ByolAException>(() => ProbeProtocol.CheckClasses(new TaskMetadata(rows, "t.csv")));
        Assert.Contains("class 'zebra' appears in the test split but not in train", e.Message);

        var folds = FoldTask(3, 2).Rows.Append(new MetadataRow("fold2/new.wav", "zebra", Fold: 2)).ToList();
        e = Assert.Throws<ByolAException>(() => ProbeProtocol.CheckClasses(new TaskMetadata(folds, "u.csv")));
        Assert.Contains("class 'zebra' appears only in fold 2", e.Message);
    }

    [Fact]
    public void Hold_out_is_ten_percent_with_every_class_and_leaves_singletons_in_train()
    {
        long[] labels = [.. Enumerable.Range(0, 97).Select(i => (long)(i % 4)), 4];
        long[] pool = [.. Enumerable.Range(0, 98).Select(i => (long)i)];
        var (train, valid) = ProbeProtocol.HoldOut(pool, labels, new Random(1));
        Assert.InRange(valid.Length, 10, 11);
        Assert.Equal(4, valid.Select(i => labels[i]).Distinct().Count());
        Assert.Contains(97L, train);
        Assert.Equal(pool, train.Concat(valid).Order());
    }
}
