using ByolA.Runtime;
using ByolA.Augmentations;

namespace ByolA.Learning;

/// <summary>
/// The seeds of the CUDA generators: libtorch seeds each device's generator separately from the CPU one that
/// <c>manual_seed</c> sets, so training re-seeds every CUDA device at the start of each epoch from (seed, epoch).
/// A run resumed after epoch k therefore draws the same per-epoch CUDA streams (dropout) as the uninterrupted run,
/// without storing device generator states in the checkpoint.
/// </summary>
internal static class EpochSeeds
{
    /// <summary>A stream number no other derivation of the training seed uses (those are epochs ≥ 0 and −1).</summary>
    const long CudaStream = -2;

    /// <summary>The seed for every CUDA device's generator during <paramref name="epoch"/> (1-based).</summary>
    public static long Cuda(long seed, int epoch) =>
        unchecked((long)SeededRandom.Derive(seed, CudaStream, epoch).NextULong());
}
