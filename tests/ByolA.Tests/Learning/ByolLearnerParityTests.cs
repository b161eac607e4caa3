using ByolA.Augmentations;
using ByolA.Learning;
using ByolA.Models;
using ByolA.Tests.Augmentations;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Learning;

/// <summary>
/// One BYOL step against golden/byol_*.pth: AudioNTT2020(d=64), projection 16, hidden 32. The golden learner was
/// built right after torch.manual_seed(5); built the same way ours has the same initial weights, BatchNorm
/// buffers and — since dropout draws from the same generator — the same dropout masks in the step.
/// </summary>
[Collection(TorchRngCollection.Name)]
public class ByolLearnerParityTests
{
    const string Init = "golden/byol_init_state.pth", Step = "golden/byol_step.pth", After = "golden/byol_after_step_state.pth";

    static ByolLearner Seeded()
    {
        manual_seed(5);
        return new ByolLearner(() => new AudioNTT2020(64, 64), featureD: 64, projDim: 32, projSize: 16, inputShape: (64, 96));
    }

    /// <summary>The golden state as our keys: the original lists the online encoder twice (net.* and online_encoder.net.*).</summary>
    static Dictionary<string, Tensor> Ours(Dictionary<string, Tensor> golden) =>
        golden.Where(kv => !kv.Key.StartsWith("net.")).ToDictionary(kv => kv.Key, kv => kv.Value);

    static void AssertState(Dictionary<string, Tensor> expected, ByolLearner learner, double tolerance, string when)
    {
        var mine = learner.state_dict();
        Assert.Equal(expected.Keys.Order(), mine.Keys.Order());
        foreach (var (key, value) in expected)
            Golden.AssertClose(value.to_type(ScalarType.Float32), mine[key].to_type(ScalarType.Float32), tolerance, $"{when} {key}");
    }

    /// <summary>
    /// The state after the step, within 1e-4 (scaled), with one exception that is numerics rather than behaviour:
    /// biases feeding a BatchNorm (conv biases, the MLPs' first bias, the projector's last bias before the
    /// predictor's BatchNorm) have a gradient that is zero in exact arithmetic; float32 leaves ~1e-7 of noise there
    /// (golden and ours differ in sign), and Adam's first step moves every parameter by ≈ lr·sign(grad). Those
    /// elements (|golden grad| &lt; 1e-5) may differ by up to 2·lr, and BatchNorm running means, which the
    /// next forward moves by 0.1 × that bias per batch, by up to 1e-3. Every other element must agree.
    /// </summary>
    static void AssertAfterStep(Dictionary<string, Tensor> expected, ByolLearner learner, Dictionary<string, Tensor> step, double lr)
    {
        var mine = learner.state_dict();
        Assert.Equal(expected.Keys.Order(), mine.Keys.Order());
        foreach (var (key, reference) in expected)
        {
            var ours = mine[key];
            var gradKey = "grad." + (key.StartsWith("online_encoder.net.") ? key["online_encoder.".Length..] : key);
            if (step.TryGetValue(gradKey, out var grad))
            {
                using var noise = grad.abs().lt(1e-5);
                using var err = (ours - reference).abs();
                double scale = Math.Max(1, reference.abs().max().item<float>());
                double determined = err.masked_fill(noise, 0).max().item<float>() / scale;
                double noisy = err.masked_fill(noise.logical_not(), 0).max().item<float>();
                Assert.True(determined <= 1e-4, $"{key}: scaled error {determined:E2} where the gradient is determined");
                Assert.True(noisy <= 2 * lr * 1.01, $"{key}: {noisy:E2} > 2·lr where the gradient is float noise");
            }
            else
            {
                double tolerance = key.EndsWith("running_mean") ? 1e-3 : 1e-4;
                Golden.AssertClose(reference.to_type(ScalarType.Float32), ours.to_type(ScalarType.Float32), tolerance, $"after step {key}");
            }
        }
    }

    [SharedDataFact(Init)]
    public void Seeded_construction_with_warm_up_reproduces_the_initial_state()
    {
        using var learner = Seeded();
        AssertState(Ours(Golden.Load("byol_init_state.pth")), learner, 1e-6, "init");
    }

    [SharedDataFact(Init, Step, After)]
    public void One_step_matches_golden_loss_gradients_state_and_next_loss()
    {
        var step = Golden.Load("byol_step.pth");
        // On one thread libtorch sums the channels-last BatchNorm backward over B·F·T positions in one float32 run, and
        // the first two conv blocks' weight gradients move up to 3.5e-3 (scaled) from the golden, against 3.9e-5 on
        // 2–8 threads (AVX-512 and AVX2 kernels alike; NCHW agrees on every count). An earlier test on this thread may
        // have left one (--threads 1), so the step is compared on two.
        using var threads = new TorchThreads(2);
        using var learner = Seeded();
        // Load the golden values too, so the comparison below starts from the reference bits exactly.
        learner.load_state_dict(Ours(Golden.Load("byol_init_state.pth")), strict: true);

        using var paired = NormalizeBatch.Apply(cat([step["view1"], step["view2"]]));
        Golden.AssertClose(step["paired_normalized"], paired, 1e-5, "paired_normalized");

        var optimizer = learner.CreateOptimizer(3e-4);
        learner.train();
        optimizer.zero_grad();
        using var loss0 = learner.forward(paired[..4], paired[4..]);
        Golden.AssertClose(step["loss0"], loss0, 1e-4, "loss0");
        loss0.backward();

        var parameters = learner.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (key, grad) in step.Where(kv => kv.Key.StartsWith("grad.")))
        {
            var name = key["grad.".Length..];
            if (name.StartsWith("net.")) name = "online_encoder." + name;
            Golden.AssertClose(grad, parameters[name].grad!, 1e-4, key);
        }
        Assert.All(learner.TargetEncoder.parameters(), p => Assert.Null(p.grad));

        optimizer.step();
        learner.UpdateTarget();
        using var loss1 = learner.forward(paired[..4], paired[4..]);
        Golden.AssertClose(step["loss1"], loss1, 1e-4, "loss1");
        AssertAfterStep(Ours(Golden.Load("byol_after_step_state.pth")), learner, step, lr: 3e-4);
    }
}
