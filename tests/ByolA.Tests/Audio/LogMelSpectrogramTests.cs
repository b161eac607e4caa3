using ByolA.Audio;
using ByolA.Configuration;
using ByolA.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ByolA.Tests.Audio;

public class LogMelSpectrogramTests(ITestOutputHelper output)
{
    [SharedDataFact("golden/melspec.pth")]
    public void Matches_the_reference_log_mel_and_filterbank()
    {
        var golden = Golden.Load("melspec.pth");
        using var lms = new LogMelSpectrogram(ByolAConfig.V1.FrontEnd);

        double fbError = Golden.ScaledError(lms.MelFilterbank, golden["mel_fb"]);
        output.WriteLine($"mel_fb: scaled max error {fbError:E2}");
        Assert.Equal(0, fbError); // bit-exact, see LogMelSpectrogram.ReferenceLinspace

        int[] frames = [101, 96, 138];
        for (int k = 0; k < 3; k++)
        {
            var wav = golden[$"wav{k}"].flatten();
            var ours = lms.forward(wav);
            Assert.Equal(new long[] { 64, frames[k] }, ours.shape);
            double error = Golden.ScaledError(ours, golden[$"lms{k}"].reshape(ours.shape));
            output.WriteLine($"lms{k}: scaled max error {error:E2}");
            Assert.True(error <= 1e-5, $"lms{k} error {error:E2}"); // the issue asks for 1e-4; measured ~1e-6
        }
    }

    [Fact]
    public void Frame_counts_follow_the_hop()
    {
        using var lms = new LogMelSpectrogram(ByolAConfig.V1.FrontEnd);
        using var one = lms.forward(zeros(16000));
        using var unit = lms.forward(zeros(15200));
        Assert.Equal(new long[] { 64, 101 }, one.shape);
        Assert.Equal(new long[] { 64, 96 }, unit.shape);
        Assert.Equal(96, lms.FramesFor(ByolAConfig.V1.UnitSamples));
        // Silence gives log(eps) everywhere.
        Assert.Equal(MathF.Log(Numerics.Eps), one.max().item<float>(), 5);
    }

    [Fact]
    public void Batched_input_equals_row_by_row()
    {
        using var lms = new LogMelSpectrogram(ByolAConfig.V1.FrontEnd);
        var gen = manual_seed(3);
        using var batch = randn(3, 4000, generator: gen) * 0.1f;
        using var all = lms.forward(batch);
        Assert.Equal(new long[] { 3, 64, 26 }, all.shape);
        for (int b = 0; b < 3; b++)
        {
            using var row = lms.forward(batch[b]);
            Assert.True(allclose(row, all[b], rtol: 1e-5, atol: 1e-5), $"row {b}");
        }
    }

    [Fact]
    public void Filterbank_is_a_buffer_not_a_parameter()
    {
        using var lms = new LogMelSpectrogram(ByolAConfig.V1.FrontEnd);
        Assert.Empty(lms.parameters());
        Assert.Equal(new[] { "mel_fb", "window" }, lms.named_buffers().Select(b => b.name).Order());
        Assert.Equal(new long[] { 513, 64 }, lms.MelFilterbank.shape);
        // Each mel band is a triangle peaking at most at 1 with no normalisation.
        using var peak = lms.MelFilterbank.max(0).values;
        Assert.True(peak.min().item<float>() > 0.3f && peak.max().item<float>() <= 1f);
    }

    [Fact]
    public void Moves_with_the_module()
    {
        using var lms = new LogMelSpectrogram(ByolAConfig.V1.FrontEnd);
        lms.to(ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, lms.MelFilterbank.dtype);
        using var x = lms.forward(ones(1600) * 0.1f);
        Assert.Equal(ScalarType.Float64, x.dtype);
        Assert.Equal(new long[] { 64, 11 }, x.shape);
    }

    [Fact]
    public void Follows_the_config()
    {
        var config = ByolAConfig.V1 with { NMels = 40, NFft = 512, WinLength = 400, HopLength = 100, FMax = 8000 };
        using var lms = new LogMelSpectrogram(config.FrontEnd);
        using var x = lms.forward(ones(2, 1000) * 0.1f);
        Assert.Equal(new long[] { 2, 40, 11 }, x.shape);
        Assert.Equal(new long[] { 257, 40 }, lms.MelFilterbank.shape);
    }

    [Fact]
    public void Rejects_other_ranks()
    {
        using var lms = new LogMelSpectrogram(ByolAConfig.V1.FrontEnd);
        Assert.Throws<ArgumentException>(() => lms.forward(zeros(1, 1, 100)));
    }
}
