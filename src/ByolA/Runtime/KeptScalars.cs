using TorchSharp;

namespace ByolA.Runtime;

/// <summary>
/// The library's only way to make a <see cref="Scalar"/>. TorchSharp 0.107 passes a Scalar's native handle to
/// libtorch without keeping the Scalar referenced, so a temporary (an implicit conversion in <c>x.mul_(0.5)</c> or
/// <c>x + 1f</c>) can be freed by the .NET finalizer on another thread while libtorch still reads it
/// (dotnet/TorchSharp#1434): training then dies with "Unknown scalar type". Scalars made here stay referenced until
/// <see cref="Dispose"/>, which a <c>using</c> places after the last call that reads them. Each overload makes the
/// Scalar type TorchSharp's implicit conversion of that .NET type makes, so results are unchanged to the bit.
/// <c>ScalarLifetimeTests</c> checks the compiled library for any other Scalar.
/// </summary>
internal sealed class KeptScalars : IDisposable
{
    readonly List<Scalar> kept = [];

    public Scalar Of(double value) => Keep(value.ToScalar());
    public Scalar Of(float value) => Keep(value.ToScalar());
    public Scalar Of(long value) => Keep(value.ToScalar());
    public Scalar Of(int value) => Keep(value.ToScalar());

    Scalar Keep(Scalar s)
    {
        kept.Add(s);
        return s;
    }

    public void Dispose()
    {
        foreach (var s in kept) s.Dispose();
        kept.Clear();
    }
}
