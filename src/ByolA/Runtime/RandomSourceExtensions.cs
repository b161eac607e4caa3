namespace ByolA.Runtime;

/// <summary>Derived draws built on <see cref="IRandomSource"/>.</summary>
internal static class RandomSourceExtensions
{
    /// <summary>A uniform draw in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static double Uniform(this IRandomSource rng, double low, double high) => low + (high - low) * rng.Uniform();
}
