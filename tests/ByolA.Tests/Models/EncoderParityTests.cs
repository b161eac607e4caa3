using ByolA.Weights;
using ByolA.Models;
using ByolA.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ByolA.Tests.Models;

/// <summary>Parity with the original encoders on ../shared/golden (max abs error ≤ 1e-4 · max(1, max|ref|)).</summary>
public class EncoderParityTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-4;

    void Check(Tensor ours, Tensor reference, string what)
    {
        double err = GoldenTensors.AssertClose(ours, reference, Tolerance, what);
        output.WriteLine($"{what}: max abs error {err:E2}");
    }

    [SharedDataFact("golden/ntt2020_d512.pth", "reference/AudioNTT2020-BYOLA-64x96d512.pth")]
    public void AudioNTT2020_d512_matches_the_original_with_the_official_weights()
    {
        using var scope = NewDisposeScope();
        var g = GoldenTensors.Load("ntt2020_d512.pth");
        using var loaded = EncoderLoader.Load(SharedData.OfficialD512Weights);
        Assert.Equal("AudioNTT2020", loaded.Architecture);
        Assert.Equal(512, loaded.FeatureD);
        Assert.Equal(64, loaded.NMels);
        var enc = loaded.Encoder;
        using var noGrad = no_grad();
        Check(enc.Pooled(g["x96"]), g["emb96"], "emb96");
        Check(enc.Pooled(g["x101"]), g["emb101"], "emb101");
        Check(enc.Frames(g["x96"]), g["frames96"], "frames96");
        Check(((nn.Module<Tensor, Tensor>)enc).forward(g["x96"]), g["emb96"], "forward96");
    }

    [SharedDataFact("golden/ntt2020_d512.pth", "reference/AudioNTT2020-BYOLA-64x96d512.pth")]
    public void AudioNTT2020X_d512_layered_matches_the_original()
    {
        using var scope = NewDisposeScope();
        var g = GoldenTensors.Load("ntt2020_d512.pth");
        using var loaded = EncoderLoader.Load(SharedData.OfficialD512Weights, layered: true);
        var x = Assert.IsType<AudioNTT2020X>(loaded.Encoder);
        Assert.Equal(4608, x.FeatureD);
        using var noGrad = no_grad();
        Check(x.forward(g["x96"]), g["x_layered96"], "x_layered96");
        Check(x.forward(g["x101"]), g["x_layered101"], "x_layered101");
        x.Layered = false;
        Check(x.forward(g["x96"]), g["x_emb96"], "x_emb96");
    }

    [SharedDataFact("golden/ntt2020x_d2048.pth", "golden/ntt2020_d2048_random_weights.pth")]
    public void AudioNTT2020X_d2048_layered_and_by_layers_match_the_original()
    {
        using var scope = NewDisposeScope();
        var g = GoldenTensors.Load("ntt2020x_d2048.pth");
        using var plain = EncoderLoader.Load(SharedData.Golden("ntt2020_d2048_random_weights.pth"));
        Assert.Equal(2048, plain.FeatureD);
        using var layered = EncoderLoader.Load(SharedData.Golden("ntt2020_d2048_random_weights.pth"), layered: true);
        var x = (AudioNTT2020X)layered.Encoder;
        using var noGrad = no_grad();
        Check(plain.Encoder.Pooled(g["x96"]), g["emb96"], "d2048 emb96");
        var pooled = x.forward(g["x96"]);
        Check(pooled, g["x_layered96"], "d2048 x_layered96");
        var layers = x.ByLayers(pooled);
        for (int l = 0; l < 5; l++) Check(layers[l], g[$"x_layer{l}_96"], $"d2048 x_layer{l}_96");
        // Native widths drop the conv2/conv3 zero padding (1024, 512 wide at 64 mel bins).
        var native = x.ByLayers(pooled, native: true);
        Assert.Equal(new long[] { 2048, 1024, 512, 2048, 2048 }, native.Select(t => t.shape[1]).ToArray());
        Check(native[1], g["x_layer1_96"].narrow(1, 0, 1024), "d2048 x_layer1_96 native");
        Assert.Equal(0.0, g["x_layer1_96"].narrow(1, 1024, 1024).abs().max().item<float>());
        x.Layered = false;
        Check(x.forward(g["x96"]), g["x_emb96"], "d2048 x_emb96");
    }

    [SharedDataFact("golden/ntt2022_d3072.pth", "golden/ntt2022_d3072_random_weights.pth")]
    public void AudioNTT2022_d3072_matches_the_original()
    {
        using var scope = NewDisposeScope();
        var g = GoldenTensors.Load("ntt2022_d3072.pth");
        using var loaded = EncoderLoader.Load(SharedData.Golden("ntt2022_d3072_random_weights.pth"));
        Assert.Equal("AudioNTT2022", loaded.Architecture);
        Assert.Equal(3072, loaded.FeatureD);
        var enc = loaded.Encoder;
        Assert.Equal(4, enc.FrameStride);
        using var noGrad = no_grad();
        Check(enc.Pooled(g["x96"]), g["emb96"], "v2 emb96");
        Check(enc.Pooled(g["x101"]), g["emb101"], "v2 emb101");
        Check(enc.Frames(g["x96"]), g["frames96"], "v2 frames96");
    }
}
