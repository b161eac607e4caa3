using ByolA.Runtime;
using ByolA.Learning;

namespace ByolA.Tests.Learning;

public class EpochSeedsTests
{
    [Fact]
    public void Cuda_seed_is_a_pure_function_of_seed_and_epoch()
    {
        Assert.Equal(EpochSeeds.Cuda(42, 3), EpochSeeds.Cuda(42, 3));
        var seeds = new HashSet<long>();
        foreach (long seed in new long[] { 0, 1, 42, -7 })
            for (int epoch = 1; epoch <= 50; epoch++)
                seeds.Add(EpochSeeds.Cuda(seed, epoch));
        Assert.Equal(4 * 50, seeds.Count);   // every (seed, epoch) gets its own stream
    }

    [Fact]
    public void Cuda_seed_differs_from_the_crop_and_statistics_streams_of_the_same_seed()
    {
        // Those derive (seed, epoch, file) and (seed, −1); a shared derivation would correlate dropout with crops.
        var crop = ByolA.Runtime.SeededRandom.Derive(42, 1, 0).NextULong();
        var stats = ByolA.Runtime.SeededRandom.Derive(42, -1).NextULong();
        Assert.NotEqual(unchecked((long)crop), EpochSeeds.Cuda(42, 1));
        Assert.NotEqual(unchecked((long)stats), EpochSeeds.Cuda(42, 1));
    }
}
