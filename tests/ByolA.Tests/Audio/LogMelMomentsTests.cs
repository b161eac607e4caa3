using ByolA.Audio;
using static TorchSharp.torch;

namespace ByolA.Tests.Audio;

public class LogMelMomentsTests
{
    [Fact]
    public void Mean_and_population_std_over_all_elements_of_all_batches()
    {
        using var scope = NewDisposeScope();
        using var moments = new LogMelMoments();
        moments.Add(tensor(new float[] { 1, 2, 3 }).reshape(1, 1, 3));
        moments.Add(zeros(0, 1, 3));                                 // an all-unreadable batch adds nothing
        moments.Add(tensor(new float[] { 4, 5 }).reshape(2, 1));
        Assert.Equal(5, moments.Count);
        Assert.Equal(3.0, moments.Mean, 12);
        Assert.Equal(Math.Sqrt(2.0), moments.Std, 12);
    }

    [Fact]
    public void Sums_in_float64_so_a_large_offset_does_not_swamp_the_spread()
    {
        using var scope = NewDisposeScope();
        using var moments = new LogMelMoments();
        // float32 sums of squares around 1e4 would lose the ±1 spread entirely.
        for (int i = 0; i < 100; i++) moments.Add(full(1000, 10_000f) + tensor(i % 2 == 0 ? 1f : -1f));
        Assert.Equal(10_000.0, moments.Mean, 6);
        Assert.Equal(1.0, moments.Std, 4);
    }

    [Fact]
    public void Nothing_added_has_no_statistics()
    {
        using var moments = new LogMelMoments();
        Assert.Equal(0, moments.Count);
        Assert.Throws<InvalidOperationException>(() => moments.Mean);
    }
}
