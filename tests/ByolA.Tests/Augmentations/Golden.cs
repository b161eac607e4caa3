using ByolA.Weights;
using System.Collections;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Augmentations;

/// <summary>Reads golden state dicts and compares with the scaled tolerance of golden/README.md.</summary>
public static class Golden
{
    public static Dictionary<string, Tensor> Load(string file)
    {
        var table = ByolA.Weights.StateDictReader.Read(SharedData.Golden(file));
        var dict = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry e in (IDictionary)table) dict[(string)e.Key] = (Tensor)e.Value!;
        return dict;
    }

    /// <summary>max|ours − ref| / max(1, max|ref|).</summary>
    public static double ScaledError(Tensor ours, Tensor reference)
    {
        Assert.Equal(reference.shape, ours.shape);
        using var o = ours.detach().cpu().to_type(ScalarType.Float64);
        using var r = reference.detach().cpu().to_type(ScalarType.Float64);
        double err = (o - r).abs().max().item<double>();
        double scale = Math.Max(1, r.abs().max().item<double>());
        return err / scale;
    }

    public static void AssertClose(Tensor reference, Tensor ours, double tolerance, string what)
    {
        double e = ScaledError(ours, reference);
        Assert.True(e <= tolerance, $"{what}: scaled error {e:E2} > {tolerance:E0}");
    }
}
