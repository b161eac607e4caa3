namespace ByolA.Runtime;

/// <summary>
/// The host-side random draws of the augmentations (crop sizes, mixing ratios, memory-bank picks). Injectable so
/// tests can fix every draw; the tensor work itself never calls back into it per element.
/// </summary>
internal interface IRandomSource
{
    /// <summary>A uniform draw in [0, 1).</summary>
    double Uniform();

    /// <summary>A uniform integer in [<paramref name="low"/>, <paramref name="high"/>], both ends included.</summary>
    int RandInt(int low, int high);
}
