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

    /// <summary>
    /// A multi-label task: row i holds the classes of subset (i mod 7) + 1 of {a, b, c}; its embedding is high in one
    /// dimension per class it holds (plus noise), so every class is linearly detectable.
    /// </summary>
    static (TaskMetadata, Tensor) MultiLabelTask(int n, Func<int, MetadataRow, MetadataRow> place, ulong seed)
    {
        string[] names = ["a", "b", "c"];
        var rows = Enumerable.Range(0, n).Select(i =>
        {
            int subset = i % 7 + 1;
            var label = string.Join(",", names.Where((_, c) => (subset & (1 << c)) != 0));
            return place(i, new MetadataRow($"{i}.wav", label, "train"));
        }).ToList();
        var hot = tensor(rows.SelectMany((r, i) => names.Select(c => r.Label.Split(',').Contains(c) ? 3f : 0f)).ToArray(), [n, 3]);
        return (new TaskMetadata(rows), cat([hot, zeros(n, 5)], 1) + randn([n, 8], generator: new Generator(seed)) * 0.4);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    public void A_multi_label_split_task_without_valid_scores_map_from_held_out_clips(ulong seed)
    {
        var (m, x) = MultiLabelTask(210, (i, r) => i % 5 == 0 ? r with { Split = "test" } : r, seed);
        Assert.True(m.MultiLabel);
        var run = ProbeProtocol.Run(m, x, new ProbeOptions { Lr = 0.01 }, seed: (int)seed);
        Assert.True(run.MultiLabel);
        Assert.Equal(42, run.TestRows.Count);
        Assert.InRange(run.Score, 0.95, 1.0);
        Assert.Equal(run.PerClass!.MeanAveragePrecision, run.Score, 12);
        Assert.InRange(run.Auc, 0.95, 1.0);
    }

    [Fact]
    public void A_multi_label_fold_task_averages_map_over_folds()
    {
        var (m, x) = MultiLabelTask(140, (i, r) => r with { Split = null, Fold = 1 + i % 4 }, 3);
        var folds = new List<double>();
        var run = ProbeProtocol.Run(m, x, new ProbeOptions { Lr = 0.01 }, seed: 1, onTrained: folds.Add);
        Assert.Equal(4, folds.Count);
        Assert.Equal(folds.Average(), run.Score, 12);
        Assert.Equal(140, run.TestRows.Count);
    }

    [Fact]
    public void Multi_label_hold_out_covers_every_class_it_can_and_leaves_each_a_training_clip()
    {
        // 60 clips: class 0 in every clip, class 1 in every third, class 2 in two clips, class 3 in one.
        long[][] sets = [.. Enumerable.Range(0, 60).Select(i =>
            new long[] { 0 }.Concat(i % 3 == 0 ? [1L] : []).Concat(i is 7 or 8 ? [2L] : []).Concat(i == 9 ? [3L] : []).ToArray())];
        long[] pool = [.. Enumerable.Range(0, 60).Select(i => (long)i)];
        for (int seed = 0; seed < 5; seed++)
        {
            var (train, valid) = ProbeProtocol.HoldOutMultiLabel(pool, sets, new Random(seed));
            Assert.Equal(pool, train.Concat(valid).Order());
            Assert.InRange(valid.Length, 6, 8);
            foreach (var c in new long[] { 0, 1, 2 }) Assert.Contains(valid, i => sets[i].Contains(c));
            foreach (var c in new long[] { 0, 1, 2, 3 }) Assert.Contains(train, i => sets[i].Contains(c));
        }
    }

    [Fact]
    public void A_multi_label_class_only_in_test_is_an_error()
    {
        var rows = new List<MetadataRow> { new("a.wav", "x,y", "train"), new("b.wav", "y", "train"), new("c.wav", "x,z", "test") };
        var e = Assert.Throws<ByolAException>(() => ProbeProtocol.CheckClasses(new TaskMetadata(rows, "t.csv")));
        Assert.StartsWith("t.csv: class 'z' appears in the test split but not in train", e.Message);
    }
}
