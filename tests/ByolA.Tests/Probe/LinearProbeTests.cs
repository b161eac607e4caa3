using ByolA.Probe;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Tests.Probe;

public class LinearProbeTests
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
        using var probe = LinearProbe.Train(x, y, xv, yv, 4, new ProbeOptions(), seed: 42);
        Assert.Equal(1.0, probe.Accuracy(xt, yt));
        Assert.Equal(1.0, probe.ValidAccuracy);
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
        using var probe = LinearProbe.Train(x[..300], y[..300], x[300..], y[300..], 4, new ProbeOptions(), seed: 42);
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
        using var probe = LinearProbe.Train(x, y, xv, yv, 3, new ProbeOptions { Patience = 4 }, seed: 1);
        Assert.Equal(probe.BestEpoch + 4, probe.EpochsRun);
        Assert.Equal(probe.ValidAccuracy, probe.Accuracy(xv, yv), 12);
    }

    [Fact]
    public void Without_early_stopping_all_epochs_run_and_validation_is_optional()
    {
        var (x, y) = Clusters(20, 2, 4, 0.5, 9);
        using var probe = LinearProbe.Train(x, y, null, null, 2, new ProbeOptions { Epochs = 7, EarlyStopping = false }, seed: 1);
        Assert.Equal(7, probe.EpochsRun);
        Assert.Equal(7, probe.BestEpoch);
        Assert.True(double.IsNaN(probe.ValidAccuracy));
        Assert.Equal(new long[] { 2, 4 }, probe.Weight.shape);
    }

    [Fact]
    public void Same_seed_gives_identical_weights()
    {
        var (x, y) = Clusters(25, 3, 8, 1.0, 11);
        var options = new ProbeOptions { Epochs = 5, EarlyStopping = false };
        using var a = LinearProbe.Train(x, y, null, null, 3, options, seed: 3);
        using var b = LinearProbe.Train(x, y, null, null, 3, options, seed: 3);
        using var c = LinearProbe.Train(x, y, null, null, 3, options, seed: 4);
        Assert.True(a.Weight.eq(b.Weight).all().item<bool>());
        Assert.False(a.Weight.eq(c.Weight).all().item<bool>());
    }
}
