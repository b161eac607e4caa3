using ByolA.Weights;
using System.Collections;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Audio;

/// <summary>Reads a golden state dict from ../shared and compares with the README's tolerance rule.</summary>
static class Golden
{
    public static Dictionary<string, Tensor> Load(string file)
    {
        var table = ByolA.Weights.StateDictReader.Read(SharedData.Golden(file));
        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry e in table) result[(string)e.Key] = (Tensor)e.Value!;
        return result;
    }

    /// <summary>max|ours − ref| / max(1, max|ref|), on the CPU in float64.</summary>
    public static double ScaledError(Tensor ours, Tensor reference)
    {
        Assert.Equal(reference.shape, ours.shape);
        using var a = ours.cpu().to_type(ScalarType.Float64);
        using var b = reference.cpu().to_type(ScalarType.Float64);
        double maxAbs = (a - b).abs().max().item<double>();
        double scale = Math.Max(1, b.abs().max().item<double>());
        return maxAbs / scale;
    }
}
