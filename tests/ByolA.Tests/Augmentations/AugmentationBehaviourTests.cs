using ByolA.Runtime;
using ByolA.Augmentations;
using static TorchSharp.torch;

namespace ByolA.Tests.Augmentations;

/// <summary>Behaviour beyond the golden cases: batched forms equal their per-sample definitions, memory FIFO, RNG state.</summary>
public class AugmentationBehaviourTests
{
    static Tensor Signal(int n, int f = 64, int t = 96, int seed = 1)
    {
        var g = new Generator((ulong)seed);
        return randn([n, 1, f, t], generator: g) * 2 - 3;
    }

    [Fact]
    public void Batched_resize_crop_equals_per_sample_bicubic_interpolate_of_the_cropped_canvas()
    {
        var rng = new SeededRandom(7);
        var rrc = new RandomResizeCrop(rng);
        using var x = Signal(6);
        var boxes = Enumerable.Range(0, 6).Select(_ => rrc.Draw(64, 96)).ToArray();
        using var ours = rrc.Apply(x, boxes);
        for (int b = 0; b < 6; b++)
        {
            using var canvas = zeros(1, 1, 64, 144);
            canvas[.., .., .., TensorIndex.Slice(24, 120)] = x[b].unsqueeze(0);
            var box = boxes[b];
            using var crop = canvas[.., .., TensorIndex.Slice(box.I, box.I + box.H), TensorIndex.Slice(box.J, box.J + box.W)];
            using var reference = nn.functional.interpolate(crop, [64, 96], mode: InterpolationMode.Bicubic, align_corners: true);
            double err = (ours[b] - reference[0]).abs().max().item<float>();
            Assert.True(err < 2e-5, $"{box}: {err}");
        }
    }

    [Fact]
    public void Resize_crop_draws_stay_inside_the_canvas()
    {
        var rrc = new RandomResizeCrop(new SeededRandom(3));
        for (int k = 0; k < 500; k++)
        {
            var box = rrc.Draw(64, 96);
            Assert.InRange(box.H, (int)(0.6 * 64), 64);
            Assert.InRange(box.W, (int)(0.6 * 96), 144);
            Assert.InRange(box.I + box.H, 1, 64);
            Assert.InRange(box.J + box.W, 1, 144);
        }
    }

    [Fact]
    public void Mixup_memory_is_a_fifo_of_the_last_inputs_oldest_first()
    {
        // Inputs are constant planes 0, 1, 2, ...; with alpha 1 the output is log(exp(z) + eps) ≈ z, revealing the pick.
        using var mixup = new MixupBYOLA(new ScriptedRandom(), ratio: 1.0, memorySize: 3);
        Tensor Planes(params float[] v) => tensor(v).view(v.Length, 1, 1, 1).expand(v.Length, 1, 2, 2).contiguous();
        float Pick(Tensor y, int b) => y[b].mean().item<float>();
        using var y0 = mixup.Apply(Planes(0, 1, 2), [1, 1, 1], [-1, 0, 1]);
        Assert.Equal(0f, Pick(y0, 0));
        Assert.Equal(0f, Pick(y0, 1), 4);   // memory [0] → 0
        Assert.Equal(1f, Pick(y0, 2), 4);   // memory [0, 1] → index 1 = 1
        using var y1 = mixup.Apply(Planes(3, 4), [1, 1], [0, 0]);
        Assert.Equal(0f, Pick(y1, 0), 4);   // memory [0, 1, 2] → oldest 0
        Assert.Equal(1f, Pick(y1, 1), 4);   // memory [1, 2, 3] → oldest 1
        using var y2 = mixup.Apply(Planes(9), [1], [2]);
        Assert.Equal(4f, Pick(y2, 0), 4);   // memory [2, 3, 4] → newest 4
        Assert.Equal(3, mixup.Count);
    }

    [Fact]
    public void Mixup_random_path_matches_explicit_draws()
    {
        using var x = Signal(5);
        using var a = new MixupBYOLA(new SeededRandom(11), ratio: 0.4, memorySize: 4);
        using var ya = a.Apply(x);
        using var ya2 = a.Apply(x);
        var replay = new SeededRandom(11);
        var alpha = new float[5]; var idx = new long[5];
        using var b = new MixupBYOLA(new ScriptedRandom(), ratio: 0.4, memorySize: 4);
        for (int pass = 0; pass < 2; pass++)
        {
            for (int k = 0; k < 5; k++)
            {
                alpha[k] = (float)(0.4 * replay.Uniform());
                long avail = Math.Min(pass * 5 + k, 4);
                idx[k] = avail == 0 ? -1 : replay.RandInt(0, (int)avail - 1);
            }
            using var yb = b.Apply(x, alpha, idx);
            Assert.Equal(0f, ((pass == 0 ? ya : ya2) - yb).abs().max().item<float>());
        }
    }

    [Fact]
    public void Running_norm_freezes_after_max_updates_and_restores()
    {
        using var x = Signal(5);
        using var norm = new RunningNorm(epochSamples: 3, maxUpdateEpochs: 1);
        using var y = norm.Apply(x);
        Assert.Equal(3, norm.Updates);
        var stats = norm.Statistics;
        using var again = norm.Apply(x);
        Assert.Equal(stats, norm.Statistics);
        // Samples 3 and 4 were normalised with the frozen statistics, as the second pass normalises everything.
        Assert.True((y[3] - again[3]).abs().max().item<float>() < 1e-6);
        using var restored = new RunningNorm(epochSamples: 3, maxUpdateEpochs: 1);
        restored.Restore(stats.Mean, stats.Var, 3);
        using var z = restored.Apply(x);
        Assert.Equal(0f, (z - again).abs().max().item<float>());
    }

    [Fact]
    public void Mix_gaussian_noise_with_zero_lambda_adds_unit_power()
    {
        var noise = new MixGaussianNoise(new ScriptedRandom([0.0]));
        using var x = Signal(1);
        using var y = noise.Apply(x);
        using var expected = (x.exp() + 1 + 1.1920929e-07f).log();
        Assert.True((y - expected).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Normalize_batch_gives_zero_mean_unit_unbiased_std()
    {
        using var x = Signal(4);
        using var y = NormalizeBatch.Apply(x);
        Assert.True(Math.Abs(y.mean().item<float>()) < 1e-5);
        Assert.True(Math.Abs(y.std().item<float>() - 1) < 1e-5);
    }

    [Fact]
    public void Seeded_random_state_round_trips_and_streams_differ()
    {
        var a = new SeededRandom(42);
        for (int k = 0; k < 10; k++) a.Uniform();
        var saved = a.State;
        var expected = Enumerable.Range(0, 5).Select(_ => a.Uniform()).ToArray();
        var b = new SeededRandom(0) { State = saved };
        Assert.Equal(expected, Enumerable.Range(0, 5).Select(_ => b.Uniform()).ToArray());
        Assert.NotEqual(SeededRandom.Derive(42, 1).Uniform(), SeededRandom.Derive(42, 2).Uniform());
        var p = new SeededRandom(5).Permutation(50);
        Assert.Equal(Enumerable.Range(0, 50), p.Order());
        Assert.All(Enumerable.Range(0, 2000).Select(_ => a.RandInt(-2, 3)), v => Assert.InRange(v, -2, 3));
    }
}

public class TwoViewAugmentationTests
{
    [Fact]
    public void Two_views_equal_clip_by_clip_augmentation_in_the_original_order()
    {
        using var x = randn([3, 1, 64, 96], generator: new Generator(5));
        using var batched = TwoViewAugmentation.V2(new SeededRandom(9), new PrecomputedNorm(0.5f, 2f));
        var (v1, v2) = batched.Apply(x);
        Assert.Equal(new long[] { 3, 1, 64, 96 }, v1.shape);

        // Reference: one clip and one view at a time, with the same single stream of draws (mixup, crop, fader).
        var rng = new SeededRandom(9);
        using var mixup = new MixupBYOLA(rng, 0.2);
        var rrc = new RandomResizeCrop(rng);
        var fader = new RandomLinearFader(rng);
        // Draw in the batched order: all mixup draws, then all crop boxes, then all fader gains.
        var alpha = new float[6]; var idx = new long[6];
        for (int k = 0; k < 6; k++) { alpha[k] = (float)(0.2 * rng.Uniform()); idx[k] = k == 0 ? -1 : rng.RandInt(0, k - 1); }
        var boxes = Enumerable.Range(0, 6).Select(_ => rrc.Draw(64, 96)).ToArray();
        var head = new float[6]; var tail = new float[6];
        for (int k = 0; k < 6; k++) { head[k] = (float)(rng.Uniform() * 2 - 1); tail[k] = (float)(rng.Uniform() * 2 - 1); }
        for (int k = 0; k < 6; k++)
        {
            using var clip = ((x[k / 2] - 0.5f) / 2f).unsqueeze(0);
            using var view = fader.Apply(rrc.Apply(mixup.Apply(clip, [alpha[k]], [idx[k]]), [boxes[k]]), [head[k]], [tail[k]]);
            var ours = k % 2 == 0 ? v1[k / 2] : v2[k / 2];
            Assert.True((ours - view[0]).abs().max().item<float>() < 1e-5, $"row {k}");
        }
        Assert.Equal(6, batched.Mixup.Count);
    }
}
