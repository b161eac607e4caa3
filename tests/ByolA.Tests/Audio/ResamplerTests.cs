using ByolA.Data;
using ByolA.Audio;
using ByolA.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ByolA.Tests.Audio;

public class ResamplerTests(ITestOutputHelper output)
{
    [SharedDataFact("golden/resample.pth")]
    public void Matches_the_reference_at_every_source_rate()
    {
        var golden = Golden.Load("resample.pth");
        // Measured: 8000, 44100 and 48000 Hz are bit-exact; 22050 Hz differs by ≤ 6e-8 (float32 summation order
        // inside conv1d), which moves 4 of 8000 int16 samples by one.
        var maxInt16Mismatches = new Dictionary<int, int> { [8000] = 0, [22050] = 8, [44100] = 0, [48000] = 0 };
        foreach (var (rate, allowed) in maxInt16Mismatches)
        {
            using var resampler = new Resampler(rate, 16000);
            using var mono = golden[$"stereo_{rate}"].mean([0L]);
            using var ours = resampler.forward(mono);
            double error = Golden.ScaledError(ours, golden[$"resampled_{rate}"]);

            var pcm = WavFile.ToPcm16(ours.data<float>().ToArray());
            var reference = golden[$"int16_{rate}"].data<short>().ToArray();
            Assert.Equal(reference.Length, pcm.Length);
            int mismatches = pcm.Zip(reference).Count(p => p.First != p.Second);
            int maxDiff = pcm.Zip(reference).Max(p => Math.Abs(p.First - p.Second));
            output.WriteLine($"{rate} Hz: scaled max error {error:E2}, int16 mismatches {mismatches}/{pcm.Length} (max |diff| {maxDiff})");

            Assert.True(error <= 1e-6, $"{rate} Hz error {error:E2}");
            Assert.True(mismatches <= allowed, $"{rate} Hz: {mismatches} int16 mismatches");
            Assert.True(maxDiff <= 1, $"{rate} Hz: int16 differs by {maxDiff}");
        }
    }

    [Theory]
    [InlineData(44100, 16000, 441, 160, 17)]
    [InlineData(22050, 16000, 441, 320, 9)]
    [InlineData(48000, 16000, 3, 1, 19)]
    [InlineData(8000, 16000, 1, 2, 7)]
    public void Filters_follow_the_reduced_rates(int from, int to, int a, int b, int width)
    {
        using var resampler = new Resampler(from, to);
        Assert.Equal(a, resampler.InputStride);
        Assert.Equal(b, resampler.OutputPhases);
        Assert.Equal(width, resampler.Width);
        Assert.Equal(new long[] { b, 1, 2 * width + a }, resampler.Kernel.shape);
        Assert.Empty(resampler.parameters());
    }

    [Fact]
    public void Output_length_is_the_ceiling_of_n_times_the_ratio()
    {
        using var resampler = new Resampler(44100, 16000);
        foreach (long n in new long[] { 0, 1, 440, 441, 442, 44100, 12345 })
        {
            using var y = resampler.forward(zeros(n));
            long expected = (long)Math.Ceiling(n * 16000.0 / 44100);
            Assert.Equal(expected, resampler.OutputLength(n));
            Assert.Equal(new[] { expected }, y.shape);
        }
    }

    [Fact]
    public void Batches_over_leading_axes()
    {
        using var resampler = new Resampler(22050, 16000);
        var gen = manual_seed(11);
        using var x = rand(2, 3, 2205, generator: gen) - 0.5f;
        using var y = resampler.forward(x);
        Assert.Equal(new long[] { 2, 3, 1600 }, y.shape);
        using var row = resampler.forward(x[1, 2]);
        Assert.True(allclose(row, y[1, 2], rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void A_tone_below_the_cutoff_survives_and_one_above_is_removed()
    {
        // 1 kHz passes a 48 kHz → 16 kHz conversion unchanged; 12 kHz (above the new Nyquist) is filtered out.
        using var resampler = new Resampler(48000, 16000);
        int n = 48000;
        var t = arange(n, dtype: float64) / 48000.0;
        using var low = resampler.forward((sin(t * 2 * Math.PI * 1000) * 0.5).to_type(ScalarType.Float32));
        using var high = resampler.forward((sin(t * 2 * Math.PI * 12000) * 0.5).to_type(ScalarType.Float32));
        var expected = (sin(arange(16000, dtype: float64) / 16000.0 * 2 * Math.PI * 1000) * 0.5).to_type(ScalarType.Float32);
        // Away from the edges (filter warm-up) the tone is reproduced to ~1e-3 and the alias is suppressed.
        using var mid = low.narrow(0, 200, 15600) - expected.narrow(0, 200, 15600);
        Assert.True(mid.abs().max().item<float>() < 2e-3f, $"passband error {mid.abs().max().item<float>()}");
        Assert.True(high.narrow(0, 200, 15600).abs().max().item<float>() < 2e-3f);
    }

    [Fact]
    public void Same_rate_is_the_identity()
    {
        using var resampler = new Resampler(16000, 16000);
        using var x = linspace(-1, 1, 100);
        using var y = resampler.forward(x);
        Assert.Equal(x.data<float>().ToArray(), y.data<float>().ToArray());
    }

    [Fact]
    public void Coprime_rates_needing_a_huge_filter_bank_are_a_clear_error()
    {
        var e = Assert.Throws<ByolAException>(() => new Resampler(44101, 16000));
        Assert.Contains("44101 Hz → 16000 Hz", e.Message);
    }
}
