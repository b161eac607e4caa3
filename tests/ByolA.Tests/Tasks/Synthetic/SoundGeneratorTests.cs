using ByolA.Runtime;
using ByolA.Augmentations;
using ByolA.Tasks.Synthetic;

namespace ByolA.Tests.Tasks.Synthetic;

public class SoundGeneratorTests
{
    [Theory]
    [InlineData(SoundKind.Tone)]
    [InlineData(SoundKind.Chirp)]
    [InlineData(SoundKind.NoiseBand)]
    [InlineData(SoundKind.Clicks)]
    [InlineData(SoundKind.Tremolo)]
    [InlineData(SoundKind.Buzz)]
    public void Clips_have_the_requested_length_a_safe_level_and_are_reproducible(SoundKind kind)
    {
        var a = SoundGenerator.Generate(kind, new SeededRandom(5), 16000, 1.0);
        var b = SoundGenerator.Generate(kind, new SeededRandom(5), 16000, 1.0);
        var c = SoundGenerator.Generate(kind, new SeededRandom(6), 16000, 1.0);
        Assert.Equal(16000, a.Length);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        float peak = a.Max(Math.Abs);
        Assert.InRange(peak, 0.03f, 0.6f);
    }

    [Fact]
    public void Kinds_differ_in_spectral_centroid_or_envelope()
    {
        // Average zero-crossing rate separates the low buzz from band noise and clicks on average.
        double Zcr(SoundKind k) => Enumerable.Range(0, 20).Average(i =>
        {
            var x = SoundGenerator.Generate(k, new SeededRandom(i), 16000, 1.0);
            int z = 0;
            for (int t = 1; t < x.Length; t++) if ((x[t - 1] < 0) != (x[t] < 0)) z++;
            return z;
        });
        Assert.True(Zcr(SoundKind.Buzz) < Zcr(SoundKind.NoiseBand));
    }
}
