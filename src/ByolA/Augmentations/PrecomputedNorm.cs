using static TorchSharp.torch;
using ByolA.Runtime;

namespace ByolA.Augmentations;

/// <summary>Normalises with dataset statistics computed before training: <c>(x − mean) / std</c> (any shape).</summary>
internal sealed record PrecomputedNorm(float Mean, float Std)
{
    public float Mean { get; } = float.IsFinite(Mean) ? Mean : throw new ArgumentException("mean must be finite");
    public float Std { get; } = Std > 0 && float.IsFinite(Std) ? Std : throw new ArgumentException("std must be positive");

    public Tensor Apply(Tensor x)
    {
        using var k = new KeptScalars();
        return (x - k.Of(Mean)) / k.Of(Std);
    }
}
