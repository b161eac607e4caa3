using TorchSharp;
using static TorchSharp.torch;
using ByolA.Runtime;

namespace ByolA.Probe;

/// <summary>
/// Per-feature standardisation fitted on training embeddings: <c>(x − mean) / std</c> with the population std;
/// a constant feature gets scale 1 (as scikit-learn's StandardScaler does) so it maps to 0 rather than NaN.
/// </summary>
public sealed class StandardScaler : IDisposable
{
    /// <summary>(d) feature means.</summary>
    public Tensor Mean { get; }

    /// <summary>(d) feature scales (population std, 1 where it is 0).</summary>
    public Tensor Scale { get; }

    StandardScaler(Tensor mean, Tensor scale) { Mean = mean; Scale = scale; }

    /// <summary>Fits on <paramref name="x"/> (N, d); statistics are computed in float64 for stability.</summary>
    public static StandardScaler Fit(Tensor x)
    {
        if (x.dim() != 2 || x.shape[0] == 0) throw new ArgumentException($"expected (N, d) with N > 0, got ({string.Join(", ", x.shape)})");
        using var scope = NewDisposeScope();
        var x64 = x.to(ScalarType.Float64);
        var mean = x64.mean([0]);
        var std = (x64 - mean).Squared().mean([0]).sqrt();
        using var k = new KeptScalars();
        var scale = where(std.eq(k.Of(0)), ones_like(std), std);
        return new StandardScaler(mean.to(x.dtype).MoveToOuterDisposeScope(), scale.to(x.dtype).MoveToOuterDisposeScope());
    }

    /// <summary>A scaler from saved (d) means and scales (a saved classifier's); takes ownership of both tensors.</summary>
    internal static StandardScaler From(Tensor mean, Tensor scale)
    {
        if (mean.dim() != 1 || !mean.shape.SequenceEqual(scale.shape))
            throw new ArgumentException($"expected mean and scale of one shape (d), got ({string.Join(", ", mean.shape)}) and ({string.Join(", ", scale.shape)})");
        return new StandardScaler(mean, scale);
    }

    /// <summary>(N, d) → (N, d) standardised.</summary>
    public Tensor Transform(Tensor x) => (x - Mean) / Scale;

    public void Dispose()
    {
        Mean.Dispose();
        Scale.Dispose();
    }
}
