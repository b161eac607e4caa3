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

    /// <summary>The stream of a rank's augmentation draws when several ranks train (one process draws from the shuffling generator).</summary>
    const long ViewStream = -3;

    /// <summary>
    /// The state a rank's augmentation generator starts <paramref name="epoch"/> from when several ranks train: every
    /// rank shuffles alike but draws its own views, and a resume after epoch k starts epoch k + 1 from the same state.
    /// </summary>
    public static long[] Views(long seed, int epoch, int rank) => SeededRandom.Derive(seed, ViewStream, epoch, rank).State;

    /// <summary>The seed for every CUDA device's generator during <paramref name="epoch"/> (1-based).</summary>
    public static long Cuda(long seed, int epoch) =>
        unchecked((long)SeededRandom.Derive(seed, CudaStream, epoch).NextULong());
}
