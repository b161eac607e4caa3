using ByolA.Weights;
using ByolA.Data;
using ByolA.Models;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Weights;

/// <summary>Weight files in and out: layouts, prefixes, round trips and the errors for files that do not fit.</summary>
public class EncoderWeightsTests
{
    static Tensor Input(int b, int nMels, int t, int seed)
    {
        using var g = new Generator((ulong)seed);
        return randn([b, 1, nMels, t], generator: g);
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.cpu().eq(b.cpu()).all().item<bool>();

    static void AssertIdentical(IReadOnlyDictionary<string, Tensor> a, IReadOnlyDictionary<string, Tensor> b)
    {
        Assert.Equal(a.Keys.OrderBy(k => k, StringComparer.Ordinal), b.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (k, t) in a)
        {
            Assert.Equal(t.shape, b[k].shape);
            Assert.True(Same(t, b[k]), $"{k} differs");
        }
    }

    [SharedDataFact("reference/AudioNTT2020-BYOLA-64x96d512.pth")]
    public void Official_weights_load_save_load_round_trip_is_identical()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        var original = EncoderWeights.ReadStateDict(SharedData.OfficialD512Weights);
        using var loaded = EncoderLoader.Load(SharedData.OfficialD512Weights);
        var path = tmp.File("again-d512.pth");
        EncoderWeights.Save(loaded.Encoder.Module, path);
        var saved = EncoderWeights.ReadStateDict(path);
        AssertIdentical(original, saved);
        using var reloaded = EncoderLoader.Load(path);
        AssertIdentical(loaded.Encoder.Module.state_dict(), reloaded.Encoder.Module.state_dict());
        Assert.Empty(Directory.GetFiles(tmp.Path, "*" + ByolA.Data.AtomicFile.TempMarker + "*"));
    }

    [Fact]
    public void Tiny_v1_round_trip_gives_identical_outputs_and_official_keys()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var model = new AudioNTT2020(nMels: 16, d: 32);
        model.eval();
        var path = tmp.File("tiny.pth");
        EncoderWeights.Save(model, path);
        var keys = EncoderWeights.ReadStateDict(path).Keys.Where(k => !k.EndsWith("num_batches_tracked")).Order(StringComparer.Ordinal);
        Assert.Equal(new[]
        {
            "fc.0.bias", "fc.0.weight", "fc.3.bias", "fc.3.weight",
            "features.0.bias", "features.0.weight", "features.1.bias", "features.1.running_mean", "features.1.running_var", "features.1.weight",
            "features.4.bias", "features.4.weight", "features.5.bias", "features.5.running_mean", "features.5.running_var", "features.5.weight",
            "features.8.bias", "features.8.weight", "features.9.bias", "features.9.running_mean", "features.9.running_var", "features.9.weight",
        }, keys);
        using var loaded = EncoderLoader.Load(path);
        Assert.Equal(("AudioNTT2020", 16, 32), (loaded.Architecture, loaded.NMels, loaded.FeatureD));
        var x = Input(2, 16, 24, 7);
        using var noGrad = no_grad();
        Assert.True(Same(model.forward(x), loaded.Encoder.Pooled(x)));
        Assert.Equal(new long[] { 2, 3, 32 }, loaded.Encoder.Frames(x).shape);
    }

    [Fact]
    public void X_model_saves_official_keys_and_matches_the_plain_model()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var plain = new AudioNTT2020(nMels: 16, d: 32);
        plain.eval();
        var path = tmp.File("plain.pth");
        EncoderWeights.Save(plain, path);
        using var x = new AudioNTT2020X(nMels: 16, d: 32);
        EncoderLoader.LoadInto(x, path);
        x.eval();
        var xPath = tmp.File("x.pth");
        EncoderWeights.Save(x, xPath);
        AssertIdentical(EncoderWeights.ReadStateDict(path), EncoderWeights.ReadStateDict(xPath));

        var input = Input(3, 16, 32, 3);
        using var noGrad = no_grad();
        Assert.True(plain.forward(input).allclose(x.forward(input), rtol: 0, atol: 1e-6));
        x.Layered = true;
        // d=32 is narrower than every conv layer: nothing is padded, each layer keeps its native width.
        Assert.Equal(new[] { 512, 256, 128, 32, 32 }, x.LayerWidths);
        var frames = x.Frames(input);
        Assert.Equal(new long[] { 3, 4, 512 + 256 + 128 + 64 }, frames.shape);
        var layers = x.ByLayers(frames, native: true);
        Assert.Equal(new long[] { 512, 256, 128, 32, 32 }, layers.Select(l => l.shape[2]).ToArray());
        Assert.True(layers[4].allclose(plain.Frames(input), rtol: 0, atol: 1e-6));
        var pooled = x.forward(input);
        Assert.Equal(new long[] { 3, 960 }, pooled.shape);
        Assert.True(x.ByLayers(pooled)[4].allclose(plain.forward(input), rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void By_layers_keeps_native_widths_when_d_is_wider_than_a_conv_layer()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var x = new AudioNTT2020X(nMels: 16, d: 300, layered: true);
        x.eval();
        Assert.Equal(new[] { 512, 300, 300, 300, 300 }, x.LayerWidths);
        using var noGrad = no_grad();
        var pooled = x.forward(Input(2, 16, 16, 4));
        Assert.Equal(new long[] { 2, 1712 }, pooled.shape);
        var padded = x.ByLayers(pooled);
        var native = x.ByLayers(pooled, native: true);
        Assert.Equal(new long[] { 512, 256, 128, 300, 300 }, native.Select(t => t.shape[1]).ToArray());
        // The padding of conv2 (256 → 300) and conv3 (128 → 300) is zero.
        Assert.Equal(0f, padded[1].narrow(1, 256, 44).abs().max().item<float>());
        Assert.Equal(0f, padded[2].narrow(1, 128, 172).abs().max().item<float>());
        Assert.True(Same(native[2], padded[2].narrow(1, 0, 128)));
    }

    [Fact]
    public void Byol_learner_checkpoints_load_the_online_encoder()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var online = new AudioNTT2020(nMels: 16, d: 32);
        using var target = new AudioNTT2020(nMels: 16, d: 32);
        online.eval();
        var entries = new List<KeyValuePair<string, Tensor>>();
        foreach (var (k, v) in target.state_dict()) entries.Add(new("target_encoder.net." + k, v));
        foreach (var (k, v) in online.state_dict()) entries.Add(new("online_encoder.net." + k, v));
        entries.Add(new("online_encoder.projector.net.0.weight", randn(8, 32)));
        var path = tmp.File("learner.pth");
        EncoderWeights.Save(entries, path);
        using var loaded = EncoderLoader.Load(path);
        var x = Input(1, 16, 16, 5);
        using var noGrad = no_grad();
        Assert.True(Same(online.forward(x), loaded.Encoder.Pooled(x)));
    }

    [Theory]
    [InlineData("state_dict")]
    [InlineData("model")]
    public void State_dicts_nested_in_a_checkpoint_load(string nestKey)
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        manual_seed(6);
        using var model = new AudioNTT2020(nMels: 16, d: 32);
        model.eval();
        var inner = new System.Collections.Hashtable();
        foreach (var (k, v) in model.state_dict()) inner["module." + k] = v;
        var outer = new System.Collections.Hashtable { [nestKey] = inner, ["epoch"] = 3 };
        var path = tmp.File("checkpoint.pth");
        using (var stream = File.Create(path)) TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(stream, outer);
        using var loaded = EncoderLoader.Load(path);
        var x = Input(1, 16, 16, 8);
        using var noGrad = no_grad();
        Assert.True(Same(model.forward(x), loaded.Encoder.Pooled(x)));
    }

    [Theory]
    [InlineData("model.")]
    [InlineData("body.")]
    [InlineData("module.encoder.")]
    public void V2_weights_with_a_prefix_load(string prefix)
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var model = new AudioNTT2022(nMels: 16, d: 320, mlpHiddenD: 24);
        model.eval();
        var path = tmp.File("v2.pth");
        EncoderWeights.Save(model.state_dict().Select(kv => new KeyValuePair<string, Tensor>(prefix + kv.Key, kv.Value)), path);
        using var loaded = EncoderLoader.Load(path);
        Assert.Equal(("AudioNTT2022", 16, 320), (loaded.Architecture, loaded.NMels, loaded.FeatureD));
        var x = Input(2, 16, 20, 6);
        using var noGrad = no_grad();
        Assert.True(Same(model.forward(x), loaded.Encoder.Pooled(x)));
        Assert.Equal(new long[] { 2, 5, 320 }, loaded.Encoder.Frames(x).shape);
    }

    [Fact]
    public void Files_with_x_model_key_names_load_into_the_plain_model()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var x = new AudioNTT2020X(nMels: 16, d: 32);
        x.eval();
        var path = tmp.File("x-names.pth");
        EncoderWeights.Save(x.state_dict(), path);
        Assert.Contains("conv2.1.running_mean", EncoderWeights.ReadStateDict(path).Keys);
        using var loaded = EncoderLoader.Load(path);
        Assert.IsType<AudioNTT2020>(loaded.Encoder);
        var input = Input(2, 16, 16, 9);
        using var noGrad = no_grad();
        Assert.True(x.forward(input).allclose(loaded.Encoder.Pooled(input), rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Key_mapping_between_official_and_x_names()
    {
        Assert.Equal("features.9.running_var", StateDictKeys.FromX("conv3.1.running_var"));
        Assert.Equal("model.fc.3.weight", StateDictKeys.FromX("model.fc2.1.weight"));
        Assert.Equal("conv2.0.weight", StateDictKeys.ToX("features.4.weight"));
        Assert.Equal("fc1.0.bias", StateDictKeys.ToX("fc.0.bias"));
        Assert.Null(StateDictKeys.ToX("features.2.weight"));
        Assert.Equal(("online_encoder.net.", "features.0.weight"), StateDictKeys.Split("online_encoder.net.features.0.weight"));
        Assert.Null(StateDictKeys.Split("online_encoder.projector.net.0.weight"));
        Assert.Null(StateDictKeys.Split("offc.0.weight"));
        Assert.Equal(2048, EncoderLoader.FeatureDFromFileName("/x/AudioNTT2020-BYOLA-64x96d2048.pth"));
        Assert.Null(EncoderLoader.FeatureDFromFileName("/x/weights.pth"));
        Assert.Equal(3072, EncoderLoader.FeatureDFromFileName("AudioNTT2022-BYOLA-64x96d3072-2301011200-e100b256l0001r42-a1d3f9e0.pth"));
    }

    [Fact]
    public void Halving_merges_an_odd_tail_then_averages_pairs()
    {
        using var x = tensor(new float[] { 1, 2, 4, 8, 16 }).reshape(1, 5, 1);
        // [1,2,4,8,16] → [1,2,4,12] → [1.5, 8] → [4.75]
        using var y = TemporalPooling.HalveTo(x, 1);
        Assert.Equal(new[] { 4.75f }, y.data<float>().ToArray());
        using var z = TemporalPooling.HalveTo(x.narrow(1, 0, 4), 2);
        Assert.Equal(new[] { 1.5f, 6f }, z.data<float>().ToArray());
    }
}
