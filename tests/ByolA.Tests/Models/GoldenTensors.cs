using ByolA.Weights;
using ByolA.Models;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Models;

/// <summary>Golden tensors from ../shared/golden and the parity check of SPEC (scaled max-abs tolerance).</summary>
internal static class GoldenTensors
{
    public static Dictionary<string, Tensor> Load(string file) => EncoderWeights.ReadStateDict(SharedData.Golden(file));

    /// <summary>Asserts max|ours − ref| ≤ e·max(1, max|ref|) with equal shapes; returns the absolute error.</summary>
    public static double AssertClose(Tensor ours, Tensor reference, double e, string what)
    {
        Assert.Equal(reference.shape, ours.shape);
        using var o = ours.detach().cpu().to(float64);
        using var r = reference.detach().cpu().to(float64);
        double err = (o - r).abs().max().item<double>();
        double scale = Math.Max(1.0, r.abs().max().item<double>());
        Assert.True(err <= e * scale, $"{what}: max abs error {err:E3} exceeds {e:E1} × {scale:G4}");
        return err;
    }
}
