using static TorchSharp.torch;
using ByolA.Runtime;

namespace ByolA.Augmentations;

/// <summary>
/// Mixes Gaussian noise in the linear-power domain: <c>log((1 − λ)·exp(x) + exp(N(0, λ)) + eps)</c> with
/// <c>λ = ratio·U(0, 1)</c> per sample. The noise comes from <paramref name="generator"/> (a torch generator on
/// the sample's device; the default generator when null) so it is drawn on the device.
/// </summary>
internal sealed class MixGaussianNoise(IRandomSource rng, double ratio = 0.3, Generator? generator = null)
{
    public double Ratio { get; } = ratio;

    /// <summary>Adds noise to (B, 1, F, T) or (1, F, T).</summary>
    public Tensor Apply(Tensor input)
    {
        int n = input.dim() == 3 ? 1 : (int)input.shape[0];
        var lambda = new float[n];
        for (int b = 0; b < n; b++) lambda[b] = (float)(Ratio * rng.Uniform());
        using var scope = NewDisposeScope();
        var noise = randn(Batch.Of(input, nameof(MixGaussianNoise)).shape, input.dtype, input.device, generator: generator);
        return Apply(input, lambda, noise).MoveToOuterDisposeScope();
    }

    /// <summary>Adds noise with given λ per sample and standard-normal <paramref name="standardNoise"/> (B, 1, F, T).</summary>
    public Tensor Apply(Tensor input, float[] lambda, Tensor standardNoise)
    {
        using var scope = NewDisposeScope();
        var x = Batch.Of(input, nameof(MixGaussianNoise));
        long n = x.shape[0];
        if (lambda.Length != n) throw new ArgumentException("one lambda per sample");
        var l = tensor(lambda, device: x.device).to_type(x.dtype).view(n, 1, 1, 1);
        var z = standardNoise.view(x.shape) * l;
        var result = l.OneMinus().mul(x.exp()).Plus(z.exp()).PlusEps().log();   // ((1 − λ)·eˣ + eᶻ + eps).log()
        return Batch.Restore(result, input).MoveToOuterDisposeScope();
    }
}
