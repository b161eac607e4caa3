using ByolA.Models;
using static TorchSharp.torch;

namespace ByolA.Tests.Models;

/// <summary>The encoder registry: one entry per kind, and each kind's state dict claimed by exactly its own entry.</summary>
public class EncoderKindsTests
{
    [Fact]
    public void Every_model_kind_has_one_entry()
    {
        Assert.Equal(Enum.GetValues<ModelKind>(), EncoderKinds.All.Select(k => k.Kind));
        Assert.All(Enum.GetValues<ModelKind>(), kind => Assert.Equal(kind, EncoderKinds.Of(kind).Kind));
    }

    [Theory]
    [InlineData(ModelKind.AudioNTT2020, 64, 96, 0)]
    [InlineData(ModelKind.AudioNTT2020, 32, 40, 0)]
    [InlineData(ModelKind.AudioNTT2022, 64, 3072, 2048)]
    [InlineData(ModelKind.AudioNTT2022, 32, 800, 96)]
    public void A_state_dict_is_recognised_as_the_kind_and_shape_that_made_it(ModelKind kind, int nMels, int d, int hidden)
    {
        using var scope = NewDisposeScope();
        using var encoder = EncoderKinds.Of(kind).Create(new EncoderShape(nMels, d, hidden));
        var shapes = encoder.Module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var (found, shape) = EncoderKinds.Recognise(shapes) ?? throw new Xunit.Sdk.XunitException("not recognised");
        Assert.Equal(kind, found.Kind);
        Assert.Equal(new EncoderShape(nMels, d, hidden), shape);
        Assert.Single(EncoderKinds.All, k => k.Recognise(shapes) != null);
    }

    [Fact]
    public void Only_recipes_are_trainable_and_layered_features_are_v1s()
    {
        Assert.Equal([ModelKind.AudioNTT2020, ModelKind.AudioNTT2022], EncoderKinds.Trainable.Select(k => k.Kind));
        using var layered = EncoderKinds.AudioNTT2020.Create(new EncoderShape(64, 32), layered: true);
        Assert.Equal(ModelKind.AudioNTT2020X, layered.Architecture);
        Assert.Throws<ArgumentException>(() => EncoderKinds.AudioNTT2022.Create(new EncoderShape(64, 3072, 2048), layered: true));
        // The X module's own key names map to the official ones and back.
        foreach (var key in layered.Module.state_dict().Keys)
            Assert.Equal(key, EncoderKinds.AudioNTT2020X.ToModuleKey(EncoderKinds.AudioNTT2020X.ToOfficialKey(key)));
        Assert.Contains(layered.Module.state_dict().Keys, k => EncoderKinds.AudioNTT2020X.ToOfficialKey(k) != k);
    }
}
