using ByolA.Augmentations;
using ByolA.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Tests.Augmentations;

/// <summary>Every augmentation against golden/augmentations.pth, one sample at a time and as one batch.</summary>
public class AugmentationParityTests
{
    const string File = "golden/augmentations.pth";
    static readonly Lazy<Dictionary<string, Tensor>> G = new(() => Golden.Load("augmentations.pth"));
    static Tensor Lms => G.Value["lms"];

    static CropBox Box(int k)
    {
        var p = G.Value[$"rrc_params{k}"].to_type(ScalarType.Int64).data<long>().ToArray();
        return new CropBox((int)p[0], (int)p[1], (int)p[2], (int)p[3]);
    }

    [SharedDataFact(File)]
    public void RandomResizeCrop_matches_golden_per_sample()
    {
        var rrc = new RandomResizeCrop(new ScriptedRandom());
        for (int k = 0; k < 5; k++)
        {
            using var ours = rrc.Apply(Lms, [Box(k)]);
            Golden.AssertClose(G.Value[$"rrc_out{k}"], ours, 2e-5, $"rrc_out{k} {Box(k)}");
        }
    }

    [SharedDataFact(File)]
    public void RandomResizeCrop_batch_of_five_boxes_matches_golden()
    {
        var rrc = new RandomResizeCrop(new ScriptedRandom());
        using var batch = Lms.unsqueeze(0).expand(5, 1, 64, 96).contiguous();
        using var ours = rrc.Apply(batch, Enumerable.Range(0, 5).Select(Box).ToArray());
        Assert.Equal(new long[] { 5, 1, 64, 96 }, ours.shape);
        for (int k = 0; k < 5; k++)
            Golden.AssertClose(G.Value[$"rrc_out{k}"], ours[k], 2e-5, $"batched rrc_out{k}");
    }

    [SharedDataFact(File)]
    public void RandomResizeCrop_draws_height_width_then_offsets()
    {
        // h = int(1.0·64) = 64, w = int(0.75·96) = 72, i = 0 (no room), j = randint(0, 72) = 30.
        var rrc = new RandomResizeCrop(new ScriptedRandom([(1.0 - 0.6) / 0.9, (0.75 - 0.6) / 0.9], [30]));
        var box = rrc.Draw(64, 96);
        Assert.Equal(new CropBox(0, 30, 64, 72), box);
    }

    [SharedDataFact(File)]
    public void RandomLinearFader_matches_golden()
    {
        var fader = new RandomLinearFader(new ScriptedRandom());
        for (int k = 0; k < 2; k++)
        {
            var ht = G.Value[$"fader_headtail{k}"].to_type(ScalarType.Float32).data<float>().ToArray();
            using var ours = fader.Apply(Lms, [ht[0]], [ht[1]]);
            Golden.AssertClose(G.Value[$"fader_out{k}"], ours, 1e-5, $"fader_out{k}");
        }
        // The same through the random path: U(−1, 1) = −1 + 2u.
        var scripted = new RandomLinearFader(new ScriptedRandom([(0.3 + 1) / 2, (-0.7 + 1) / 2]));
        using var drawn = scripted.Apply(Lms);
        Golden.AssertClose(G.Value["fader_out0"], drawn, 1e-5, "fader_out0 via draws");
    }

    [SharedDataFact(File)]
    public void Mixup_matches_golden_with_the_memory_holding_mixup_b()
    {
        var b = G.Value["mixup_b"];
        for (int k = 0; k < 3; k++)
        {
            float alpha = G.Value[$"mixup_alpha{k}"].to_type(ScalarType.Float32).item<float>();
            using var mixup = new MixupBYOLA(new ScriptedRandom([0.5, alpha / 0.4], [0]), ratio: 0.4);
            using var first = mixup.Apply(b);
            Assert.Equal(0, (first - b).abs().max().item<float>());   // empty memory: returned unchanged
            using var ours = mixup.Apply(Lms);
            Golden.AssertClose(G.Value[$"mixup_out{k}"], ours, 1e-5, $"mixup_out{k} (alpha {alpha})");
        }
    }

    [SharedDataFact(File)]
    public void Mixup_batch_equals_sequential_calls_and_golden()
    {
        var b = G.Value["mixup_b"];
        var alphas = Enumerable.Range(0, 3).Select(k => G.Value[$"mixup_alpha{k}"].to_type(ScalarType.Float32).item<float>()).ToArray();
        using var mixup = new MixupBYOLA(new ScriptedRandom(), ratio: 0.4);
        using var batch = stack([b, Lms, Lms, Lms]);
        // Sample 0 meets an empty memory; samples 1..3 all pick memory index 0, which is mixup_b (pushed by sample 0).
        using var ours = mixup.Apply(batch, [0f, .. alphas], [-1, 0, 0, 0]);
        Assert.Equal(0, (ours[0] - b).abs().max().item<float>());
        for (int k = 0; k < 3; k++)
            Golden.AssertClose(G.Value[$"mixup_out{k}"], ours[k + 1], 1e-5, $"batched mixup_out{k}");
        Assert.Equal(4, mixup.Count);
    }

    [SharedDataFact(File)]
    public void NormalizeBatch_matches_golden()
    {
        using var ours = NormalizeBatch.Apply(G.Value["batch"]);
        Golden.AssertClose(G.Value["normalize_batch"], ours, 1e-5, "normalize_batch");
    }

    [SharedDataFact(File)]
    public void RunningNorm_matches_golden_sequentially_and_batched()
    {
        var inputs = Enumerable.Range(0, 4).Select(k => G.Value[$"running_in{k}"]).ToArray();
        using var sequential = new RunningNorm(epochSamples: 2, maxUpdateEpochs: 1);
        for (int k = 0; k < 4; k++)
        {
            using var ours = sequential.Apply(inputs[k]);
            Golden.AssertClose(G.Value[$"running_out{k}"], ours, 1e-5, $"running_out{k}");
        }
        Assert.Equal(2, sequential.Updates);

        using var batched = new RunningNorm(epochSamples: 2, maxUpdateEpochs: 1);
        using var all = batched.Apply(stack(inputs));
        for (int k = 0; k < 4; k++)
            Golden.AssertClose(G.Value[$"running_out{k}"], all[k], 1e-5, $"batched running_out{k}");
        Assert.Equal(sequential.Statistics.Mean, batched.Statistics.Mean, 10);
        Assert.Equal(sequential.Statistics.Var, batched.Statistics.Var, 10);
    }
}
