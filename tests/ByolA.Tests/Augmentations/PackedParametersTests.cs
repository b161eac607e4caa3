using ByolA.Augmentations;
using static TorchSharp.torch;

namespace ByolA.Tests.Augmentations;

public class PackedParametersTests
{
    [Fact]
    public void Segments_come_back_exactly_in_their_own_types()
    {
        var p = new PackedParameters();
        float[] alpha = [0.1f, 0.39999998f, 1e-7f];
        long[] slots = [0, 2047, (1L << 40) + 3];
        bool[] mix = [true, false, true];
        var a = p.Add(alpha);
        var s = p.Add(slots);
        var m = p.Add(mix);
        using var uploaded = p.Upload(CPU);
        Assert.Equal(new long[] { 9 }, uploaded.shape);
        Assert.Equal(alpha, a.Of(uploaded, ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(slots, s.Of(uploaded, ScalarType.Int64).data<long>().ToArray());
        Assert.Equal(mix, m.Of(uploaded, ScalarType.Bool).data<bool>().ToArray());
    }
}
