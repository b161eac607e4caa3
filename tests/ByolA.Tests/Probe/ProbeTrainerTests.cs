using ByolA.Probe;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Tests.Probe;

public class ProbeTrainerTests
{
    /// <summary>(N, d) points around <paramref name="classes"/> well-separated centres, labels (N).</summary>
    static (Tensor X, Tensor Y) Clusters(int perClass, int classes, int d, double spread, ulong seed)
    {
        var g = new Generator(seed);
        var centres = randn([classes, d], generator: g) * 3;
        var y = arange(classes, ScalarType.Int64).repeat_interleave(perClass);
        var x = centres.index_select(0, y) + randn([perClass * classes, d], generator: g) * spread;
        return (x, y);
    }

    [Fact]
    public void Standard_scaler_uses_population_std_and_leaves_constant_features_finite()
    {
        using var x = tensor(new float[] { 1, 5, 3, 5, 5, 5 }).reshape(3, 2);
        using var scaler = StandardScaler.Fit(x);
        Assert.Equal(new float[] { 3, 5 }, scaler.Mean.data<float>().ToArray());
        Assert.Equal(MathF.Sqrt(8f / 3f), scaler.Scale[0].item<float>(), 1e-6f);
        Assert.Equal(1f, scaler.Scale[1].item<float>());
        using var z = scaler.Transform(x);
        Assert.Equal(new float[] { 0, 0, 0 }, z[.., 1].data<float>().ToArray());
        Assert.Equal(0f, z[.., 0].mean().item<float>(), 1e-6f);
    }

    [Fact]
    public void Separable_clusters_reach_full_accuracy_and_stop_early()
    {
        var (x, y) = Clusters(40, 4, 16, 0.3, 1);
        var (xv, yv) = Clusters(10, 4, 16, 0.3, 1);
        var (xt, yt) = Clusters(10, 4, 16, 0.3, 1);
        using var probe = ProbeTrainer.Train(x, y, xv, yv, 4, new ProbeOptions(), seed: 42);
        Assert.Equal(1.0, probe.Accuracy(xt, yt));
        Assert.Equal(1.0, probe.ValidScore);
        // Ties keep the later epoch and restart patience, so a perfect run stops exactly patience epochs after its
        // last (tied) best only when accuracy drops; otherwise it trains to the end.
        Assert.InRange(probe.BestEpoch, 1, probe.EpochsRun);
        Assert.Equal(2, probe.Predict(xt[TensorIndex.Slice(20, 21)]).item<long>());
    }

    [Fact]
    public void Random_labels_stay_near_chance()
    {
        var g = new Generator(7);
        var x = randn([400, 32], generator: g);
        var y = randint(4, [400], generator: g);
        var xt = randn([400, 32], generator: g);
        var yt = randint(4, [400], generator: g);
        using var probe = ProbeTrainer.Train(x[..300], y[..300], x[300..], y[300..], 4, new ProbeOptions(), seed: 42);
        Assert.InRange(probe.Accuracy(xt, yt), 0.15, 0.36);
    }

    [Fact]
    public void Early_stopping_stops_patience_epochs_after_the_best_and_keeps_its_weights()
    {
        // Validation labels are noise, so validation accuracy peaks early and the run ends well before 200 epochs.
        var (x, y) = Clusters(30, 3, 8, 2.0, 3);
        var g = new Generator(5);
        var xv = randn([60, 8], generator: g);
        var yv = randint(3, [60], generator: g);
        using var probe = ProbeTrainer.Train(x, y, xv, yv, 3, new ProbeOptions { Patience = 4 }, seed: 1);
        Assert.Equal(probe.BestEpoch + 4, probe.EpochsRun);
        Assert.Equal(probe.ValidScore, probe.Accuracy(xv, yv), 12);
    }

    [Fact]
    public void Without_early_stopping_all_epochs_run_and_validation_is_optional()
    {
        var (x, y) = Clusters(20, 2, 4, 0.5, 9);
        using var probe = ProbeTrainer.Train(x, y, null, null, 2, new ProbeOptions { Epochs = 7, EarlyStopping = false }, seed: 1);
        Assert.Equal(7, probe.EpochsRun);
        Assert.Equal(7, probe.BestEpoch);
        Assert.True(double.IsNaN(probe.ValidScore));
        Assert.Equal(new long[] { 2, 4 }, probe.Weight.shape);
    }

    [Fact]
    public void Same_seed_gives_identical_weights()
    {
        var (x, y) = Clusters(25, 3, 8, 1.0, 11);
        var options = new ProbeOptions { Epochs = 5, EarlyStopping = false };
        using var a = ProbeTrainer.Train(x, y, null, null, 3, options, seed: 3);
        using var b = ProbeTrainer.Train(x, y, null, null, 3, options, seed: 3);
        using var c = ProbeTrainer.Train(x, y, null, null, 3, options, seed: 4);
        Assert.True(a.Weight.eq(b.Weight).all().item<bool>());
        Assert.False(a.Weight.eq(c.Weight).all().item<bool>());
    }

    /// <summary>
    /// XOR in embedding space: four equal clusters at (±2, ±2) (std 0.3, plus <paramref name="extra"/> noise
    /// dimensions), class 1 where the two signs differ. No line separates the classes: a line gets at most three of
    /// the four clusters right, so a linear probe stays at or below 75% (plus what noise overlap adds, nearly nothing
    /// at this spread), while one hidden layer can carve all four.
    /// </summary>
    static (Tensor X, Tensor Y) Xor(int perCluster, int extra, ulong seed)
    {
        var g = new Generator(seed);
        var corners = tensor(new float[] { 2, 2, 2, -2, -2, 2, -2, -2 }).reshape(4, 2);
        var cluster = arange(4, ScalarType.Int64).repeat_interleave(perCluster);
        var x = cat([corners.index_select(0, cluster) + randn([4 * perCluster, 2], generator: g) * 0.3, randn([4 * perCluster, extra], generator: g)], 1);
        var y = tensor(new long[] { 0, 1, 1, 0 }).index_select(0, cluster);
        return (x, y);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void An_mlp_probe_separates_xor_classes_a_linear_probe_cannot(ulong seed)
    {
        var (x, y) = Xor(60, 2, seed);
        var (xv, yv) = Xor(15, 2, seed + 100);
        var (xt, yt) = Xor(50, 2, seed + 200);
        using var linear = ProbeTrainer.Train(x, y, xv, yv, 2, new ProbeOptions(), seed: (long)seed);
        using var mlp = ProbeTrainer.Train(x, y, xv, yv, 2, new ProbeOptions { Hidden = [512] }, seed: (long)seed);
        Assert.InRange(linear.Accuracy(xt, yt), 0.0, 0.78);
        Assert.InRange(mlp.Accuracy(xt, yt), 0.95, 1.0);
        Assert.Equal([512], mlp.Hidden);
        Assert.Equal(2, mlp.Head.Layers.Count);
        Assert.Equal(new long[] { 2, 512 }, mlp.Weight.shape);
    }

    [Theory]
    [InlineData(4UL)]
    [InlineData(5UL)]
    public void On_separable_clusters_the_mlp_probe_matches_the_linear_one(ulong seed)
    {
        var (x, y) = Clusters(40, 4, 16, 0.3, seed);
        var (xv, yv) = Clusters(10, 4, 16, 0.3, seed);
        var (xt, yt) = Clusters(30, 4, 16, 0.3, seed);
        using var linear = ProbeTrainer.Train(x, y, xv, yv, 4, new ProbeOptions(), seed: 1);
        using var mlp = ProbeTrainer.Train(x, y, xv, yv, 4, new ProbeOptions { Hidden = [64, 32] }, seed: 1);
        // Clusters 3σ·√16 apart with spread 0.3: every test point is nearest its own centre, so both heads are exact.
        Assert.Equal(1.0, linear.Accuracy(xt, yt));
        Assert.Equal(1.0, mlp.Accuracy(xt, yt));
        Assert.Equal(3, mlp.Head.Layers.Count);
    }

    [Fact]
    public void Mlp_dropout_comes_from_the_seed()
    {
        var (x, y) = Clusters(25, 3, 8, 1.0, 11);
        var options = new ProbeOptions { Epochs = 5, EarlyStopping = false, Hidden = [16] };
        using var a = ProbeTrainer.Train(x, y, null, null, 3, options, seed: 3);
        using var b = ProbeTrainer.Train(x, y, null, null, 3, options, seed: 3);
        using var c = ProbeTrainer.Train(x, y, null, null, 3, options, seed: 4);
        Assert.True(a.Weight.eq(b.Weight).all().item<bool>());
        Assert.False(a.Weight.eq(c.Weight).all().item<bool>());
        // Eval mode: no dropout, so the same input gives the same logits twice.
        Assert.True(a.Logits(x).eq(a.Logits(x)).all().item<bool>());
    }

    [Fact]
    public void Mlp_early_stopping_restores_every_layer_of_the_best_epoch()
    {
        // Validation labels are noise, so the best epoch is early and later epochs move every layer away from it.
        var (x, y) = Clusters(30, 3, 8, 2.0, 3);
        var g = new Generator(5);
        var xv = randn([60, 8], generator: g);
        var yv = randint(3, [60], generator: g);
        using var probe = ProbeTrainer.Train(x, y, xv, yv, 3, new ProbeOptions { Patience = 4, Hidden = [32, 16] }, seed: 1);
        Assert.Equal(probe.BestEpoch + 4, probe.EpochsRun);
        // The kept weights (all three layers, in eval mode) score exactly the recorded validation accuracy.
        Assert.Equal(probe.ValidScore, probe.Accuracy(xv, yv), 12);
    }

    [Fact]
    public void Head_names_and_bad_sizes()
    {
        Assert.Equal("linear", new ProbeOptions().HeadName);
        Assert.Equal("mlp512", new ProbeOptions { Hidden = [512] }.HeadName);
        Assert.Equal("mlp512-256", new ProbeOptions { Hidden = [512, 256] }.HeadName);
        var e = Assert.Throws<OptionException>(() => new ProbeOptions { Hidden = [512, 0] }.Validate());
        Assert.Equal(["Hidden"], e.Options);
    }

    [Fact]
    public void Multi_label_targets_train_with_sigmoid_outputs_and_stop_on_validation_map()
    {
        // Three classes, each present when its own embedding dimension is high; clips hold any subset.
        var g = new Generator(21);
        Tensor Make(int n, out Tensor targets)
        {
            targets = rand([n, 3], generator: g).ge(0.5f.ToScalar()).to(ScalarType.Float32);
            return targets * 4 + randn([n, 3], generator: g) * 0.5;
        }
        var x = Make(200, out var y);
        var xv = Make(50, out var yv);
        var xt = Make(100, out var yt);
        // One mini-batch per epoch: a larger step than the default lets 200 steps outgrow the random initial weights.
        using var probe = ProbeTrainer.Train(x, y, xv, yv, 3, new ProbeOptions { Lr = 0.01 }, seed: 5);
        Assert.True(probe.MultiLabel);
        var p = probe.Probabilities(xt);
        // Sigmoid per class, not softmax: rows do not sum to one, and clips with two labels get two high scores.
        Assert.False(p.sum(1).sub(1f.ToScalar()).abs().lt(1e-3f.ToScalar()).all().item<bool>());
        var scores = RankingMetrics.Compute(ProbeTrainer.ToArray(p), ProbeTrainer.Targets(yt));
        Assert.True(scores.MeanAveragePrecision > 0.95, $"mAP {scores.MeanAveragePrecision}");
        Assert.InRange(probe.ValidScore, 0.95, 1.0);
    }
}
