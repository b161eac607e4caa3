using static TorchSharp.torch;
using ByolA.Runtime;

namespace ByolA.Augmentations;

/// <summary>
/// BYOL-A post-normalisation: (N, C, F, T) → same shape, standardised per channel with the mean and unbiased std
/// over axes (0, 2, 3); the std is clamped to ≥ eps.
/// </summary>
internal static class NormalizeBatch
{
    public static Tensor Apply(Tensor x)
    {
        if (x.dim() != 4) throw new ArgumentException($"NormalizeBatch: expected (N, C, F, T), got ({string.Join(", ", x.shape)})");
        using var scope = NewDisposeScope();
        long[] axes = [0, 2, 3];
        var mean = x.mean(axes, keepdim: true);
        var std = x.std(axes, unbiased: true, keepdim: true).ClampMinEps();
        return ((x - mean) / std).MoveToOuterDisposeScope();
    }
}
