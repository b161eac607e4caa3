using ByolA.Data;
using ByolA.Audio;
using ByolA.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ByolA.Tests.Audio;

public class PolyphaseResamplerTests(ITestOutputHelper output)
{
    [SharedDataFact("golden/resample.pth")]
    public void Matches_the_reference_at_every_source_rate()
    {
        var golden = Golden.Load("resample.pth");
        // The reference sums all 2·w + a float32 products per output in float32 inside conv1d; we sum only the nonzero
        // ones in float64 and round once, so our outputs are the correctly rounded exact sums (checked below against a
        // float64 conv) while the reference's carry up to ~1.4e-7 of float32 summation error. Where x · 32767 lies that
        // close to an integer, trunc then moves an int16 sample by one. Measured: 7, 5, 10 and 4 of 8000 samples, and at
        // every one of them our float value is the closer to the exact sum.
        var maxInt16Mismatches = new Dictionary<int, int> { [8000] = 7, [22050] = 5, [44100] = 10, [48000] = 4 };
        foreach (var (rate, allowed) in maxInt16Mismatches)
        {
            var resampler = new PolyphaseResampler(rate, 16000);
            using var mono = golden[$"stereo_{rate}"].mean([0L]);
            var ours = resampler.Resample(mono.data<float>().ToArray());
            using var oursTensor = tensor(ours);
            double error = Golden.ScaledError(oursTensor, golden[$"resampled_{rate}"]);
            var exact = ExactSums(rate, mono);
            var referenceFloat = golden[$"resampled_{rate}"].data<float>().ToArray();
            double roundingError = ours.Select((v, i) => Math.Abs(v - exact[i])).Max();

            var pcm = WavFile.ToPcm16(ours);
            var reference = golden[$"int16_{rate}"].data<short>().ToArray();
            Assert.Equal(reference.Length, pcm.Length);
            var mismatches = Enumerable.Range(0, pcm.Length).Where(i => pcm[i] != reference[i]).ToList();
            int maxDiff = pcm.Zip(reference).Max(p => Math.Abs(p.First - p.Second));
            output.WriteLine($"{rate} Hz: scaled max error {error:E2}, max |ours − exact| {roundingError:E2}, " +
                             $"int16 mismatches {mismatches.Count}/{pcm.Length} (max |diff| {maxDiff})");

            Assert.True(error <= 1e-6, $"{rate} Hz error {error:E2}");
            Assert.True(roundingError <= 3e-8, $"{rate} Hz: not correctly rounded ({roundingError:E2})"); // half a float32 ulp at |y| < 1
            Assert.True(mismatches.Count <= allowed, $"{rate} Hz: {mismatches.Count} int16 mismatches");
            Assert.True(maxDiff <= 1, $"{rate} Hz: int16 differs by {maxDiff}");
            Assert.All(mismatches, i => Assert.True(Math.Abs(ours[i] - exact[i]) < Math.Abs(referenceFloat[i] - exact[i]),
                $"{rate} Hz sample {i}: ours {ours[i]:R}, reference {referenceFloat[i]:R}, exact {exact[i]:R}"));
        }
    }

    /// <summary>The resampled signal computed in float64 throughout with the same float32 filters: the exact sums, to ~1e-16.</summary>
    static double[] ExactSums(int rate, Tensor mono)
    {
        using var dense = new Resampler(rate, 16000);
        using var scope = NewDisposeScope();
        var x = nn.functional.pad(mono.to_type(ScalarType.Float64).reshape(1, 1, -1), [dense.Width, dense.Width + dense.InputStride]);
        var y = nn.functional.conv1d(x, dense.Kernel.to_type(ScalarType.Float64), stride: dense.InputStride);
        return y.transpose(1, 2).reshape(-1).narrow(0, 0, dense.OutputLength(mono.shape[0])).data<double>().ToArray();
    }

    /// <summary>A deterministic wide-band test signal: three incommensurate tones plus a chirp, peak below 1.</summary>
    static float[] Signal(int n, int rate)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / rate;
            x[i] = (float)(0.3 * Math.Sin(2 * Math.PI * 440 * t) + 0.25 * Math.Sin(2 * Math.PI * 3137 * t + 1)
                           + 0.2 * Math.Sin(2 * Math.PI * 7001 * t + 2) + 0.2 * Math.Sin(2 * Math.PI * (100 + 20000 * t) * t));
        }
        return x;
    }

    [Theory]
    [InlineData(44100, 16000)]
    [InlineData(48000, 16000)]
    [InlineData(8000, 16000)]
    [InlineData(22050, 16000)]
    [InlineData(16000, 8000)]
    public void Agrees_with_the_torch_resampler(int from, int to)
    {
        var managed = new PolyphaseResampler(from, to);
        using var torchResampler = new Resampler(from, to);
        Assert.Equal((torchResampler.InputStride, torchResampler.OutputPhases, torchResampler.Width),
            (managed.InputStride, managed.OutputPhases, managed.Width));
        // Very short inputs (fewer samples than one filter), lengths that are not multiples of the stride, and one long one.
        int stride = managed.InputStride;
        var lengths = new[] { 1, 2, 3, managed.Width, stride - 1, stride + 1, 2 * managed.Width + stride + 5, 10 * stride + 7, from / 2 + 3 };
        foreach (int n in lengths.Where(n => n > 0).Distinct())
        {
            var x = Signal(n, from);
            var ours = managed.Resample(x);
            using var reference = torchResampler.forward(tensor(x));
            var expected = reference.data<float>().ToArray();
            Assert.Equal(expected.Length, ours.Length);
            Assert.Equal(managed.OutputLength(n), ours.Length);
            double maxDiff = ours.Zip(expected).Max(p => Math.Abs(p.First - (double)p.Second));
            // Both round sums of the same float32 products to float32; they differ in summation order and precision only
            // (torch's float32 error is ~1e-7 for signals below 1).
            Assert.True(maxDiff <= 2.5e-7, $"{from} → {to}, N = {n}: max |managed − torch| = {maxDiff:E2}");
        }
    }

    [Fact]
    public void Keeps_only_the_nonzero_span_of_each_phase()
    {
        // 44.1 → 16 kHz: 160 phases of 475 dense taps, of which 33 or 34 are nonzero (±6 zero crossings of a sinc at
        // 0.99 · 8 kHz span 12 / 158.4 · 441 ≈ 33.4 input samples), rounded up to a multiple of 4.
        var managed = new PolyphaseResampler(44100, 16000);
        Assert.Equal((441, 160, 17), (managed.InputStride, managed.OutputPhases, managed.Width));
        Assert.Equal(36, managed.Span);
    }

    [Fact]
    public void Output_length_is_the_ceiling_of_n_times_the_ratio_and_is_checked()
    {
        var managed = new PolyphaseResampler(44100, 16000);
        foreach (int n in new[] { 0, 1, 440, 441, 442, 12345 })
            Assert.Equal((long)Math.Ceiling(n * 16000.0 / 44100), managed.Resample(new float[n]).Length);
        Assert.Throws<ArgumentException>(() => managed.Resample(new float[441], new float[161]));
    }

    [Fact]
    public void Same_rate_is_a_copy()
    {
        var managed = new PolyphaseResampler(16000, 16000);
        float[] x = [0.5f, -0.25f, 1f];
        var y = managed.Resample(x);
        Assert.Equal(x, y);
        Assert.NotSame(x, y);
    }

    [Fact]
    public void Coprime_rates_needing_a_huge_filter_bank_are_the_same_clear_error()
    {
        var e = Assert.Throws<ByolAException>(() => new PolyphaseResampler(44101, 16000));
        Assert.Contains("44101 Hz → 16000 Hz", e.Message);
    }
}
