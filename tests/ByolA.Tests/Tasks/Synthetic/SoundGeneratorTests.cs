using ByolA.Augmentations;
using ByolA.Tasks.Synthetic;

namespace ByolA.Tests.Tasks.Synthetic;

public class SoundGeneratorTests
{
    public static TheoryData<SoundKind> Kinds() => new(Enum.GetValues<SoundKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Clips_have_the_requested_length_a_level_in_range_and_follow_the_generator_state(SoundKind kind)
    {
        var a = SoundGenerator.Generate(kind, new SeededRandom(5), 16000, 1.0);
        var b = SoundGenerator.Generate(kind, new SeededRandom(5), 16000, 1.0);
        var c = SoundGenerator.Generate(kind, new SeededRandom(6), 16000, 1.0);
        Assert.Equal(16000, a.Length);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        // Peak level is drawn in [-30, -3] dBFS.
        Assert.InRange(a.Max(Math.Abs), 0.0316f, 0.7080f);
    }

    [Fact]
    public void Pitch_and_level_vary_within_a_kind_so_neither_identifies_it()
    {
        var peaks = Enumerable.Range(0, 20).Select(i => SoundGenerator.Generate(SoundKind.Saw, new SeededRandom(i), 16000, 1.0).Max(Math.Abs)).ToList();
        Assert.True(peaks.Max() / peaks.Min() > 4, $"peaks {peaks.Min()}..{peaks.Max()} span less than 12 dB");
    }

    [Fact]
    public void Repeats_are_gated_while_steady_tones_are_not()
    {
        // Fraction of 10 ms frames far below the clip's loudest frame: notes with gaps between them have many.
        static double QuietFraction(SoundKind kind) => Enumerable.Range(0, 10).Average(i =>
        {
            var x = SoundGenerator.Generate(kind, new SeededRandom(100 + i), 16000, 1.0);
            var rms = x.Chunk(160).Select(f => Math.Sqrt(f.Average(v => (double)v * v))).ToArray();
            return rms.Count(r => r < rms.Max() / 8) / (double)rms.Length;
        });
        Assert.True(QuietFraction(SoundKind.Repeats) > QuietFraction(SoundKind.Sine) + 0.1);
    }
}
