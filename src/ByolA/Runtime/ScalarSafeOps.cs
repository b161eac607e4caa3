using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Runtime;

/// <summary>
/// The TorchSharp 0.107 calls that make a temporary <see cref="Scalar"/> inside TorchSharp itself (the alpha of
/// <c>a + b</c>, <c>add_</c>, the exponent of <c>square</c>, the start and step of <c>arange</c>), done with Scalars
/// that never die. Each computes exactly what the TorchSharp call it replaces computes (same op, same Scalar type);
/// see <see cref="KeptScalars"/> for why.
/// </summary>
internal static class ScalarSafeOps
{
    // Static: referenced for the life of the process, so the finalizer never frees them.
    static readonly Scalar One = 1.ToScalar();
    static readonly Scalar Zero = 0.ToScalar();
    static readonly Scalar Two = 2.ToScalar();
    static readonly Scalar EpsScalar = Numerics.Eps.ToScalar();

    /// <summary><c>a + b</c>, any broadcastable shapes.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary><c>a + s</c>.</summary>
    public static Tensor Plus(this Tensor a, Scalar s) => a.add(s, One);

    /// <summary><c>a + <see cref="Numerics.Eps"/></c> (the float32 epsilon added before every log).</summary>
    public static Tensor PlusEps(this Tensor a) => a.add(EpsScalar, One);

    /// <summary>In-place <c>a += b</c>; returns <paramref name="a"/>.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary>In-place <c>a += s</c>; returns <paramref name="a"/>.</summary>
    public static Tensor PlusInPlace(this Tensor a, Scalar s) => a.add_(s, One);

    /// <summary><c>1 − t</c>, as TorchSharp computes <c>1 - t</c> (<c>(−t) + 1</c>).</summary>
    public static Tensor OneMinus(this Tensor t) => t.negative().add(One, One);

    /// <summary><c>s − t</c>, as TorchSharp computes it (<c>(−t) + s</c>).</summary>
    public static Tensor Minus(this Scalar s, Tensor t) => t.negative().add(s, One);

    /// <summary><c>a²</c> elementwise (<c>pow(a, 2)</c>, as <c>square()</c>).</summary>
    public static Tensor Squared(this Tensor a) => a.pow(Two);

    /// <summary><c>a.clamp_min(eps)</c> with <see cref="Numerics.Eps"/>.</summary>
    public static Tensor ClampMinEps(this Tensor a) => a.clamp_min(EpsScalar);

    /// <summary>0, 1, …, stop − 1 (<c>arange(stop)</c>).</summary>
    public static Tensor Range(Scalar stop, ScalarType dtype, Device device) => arange(Zero, stop, One, dtype, device);

    /// <summary>start, start + 1, …, stop − 1 (<c>arange(start, stop)</c>).</summary>
    public static Tensor Range(Scalar start, Scalar stop, ScalarType dtype, Device device) => arange(start, stop, One, dtype, device);
}
