using ByolA.Tests.Embedding;
using ByolA.Audio;
using ByolA.Data;
using ByolA.Cli;
using ByolA.Configuration;
using ByolA.Learning;
using ByolA.Tests.Support;
using static ByolA.Tests.Support.CliRunner;

namespace ByolA.Tests.Audio;

/// <summary>A WAV holding a NaN or infinite sample is an unreadable file for every verb, never silently zero or NaN downstream.</summary>
[Collection(ByolA.Tests.Learning.TorchRngCollection.Name)]
public class NonFiniteSampleTests
{
    static void WriteFloatWav(string path, float poison, int channels = 1, int at = 100)
    {
        var data = Enumerable.Range(0, channels).Select(c => Enumerable.Range(0, 8000).Select(i => (float)(0.1 * Math.Sin(i * 0.05))).ToArray()).ToArray();
        data[channels - 1][at] = poison;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, TestWav.File(TestWav.IeeeFloat, channels, 16000, 32, TestWav.Encode(data, 32, isFloat: true)));
    }

    [Theory]
    [InlineData(float.NaN, 1)]
    [InlineData(float.PositiveInfinity, 1)]
    [InlineData(float.NegativeInfinity, 2)]
    public void Read_and_ReadMono_refuse_non_finite_samples(float poison, int channels)
    {
        using var dir = new TempDir();
        var path = dir.File("poison.wav");
        WriteFloatWav(path, poison, channels, at: 123);
        var e = Assert.Throws<ByolAException>(() => WavFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("frame 123 holds", e.Message);
        Assert.Throws<ByolAException>(() => WavFile.ReadMono(path));
        Assert.Throws<ByolAException>(() => AudioLoader.LoadMono(path, 16000));
    }

    [Fact]
    public void Convert_wav_lists_the_file_as_failed_instead_of_writing_zeros()
    {
        using var dir = new TempDir();
        WriteFloatWav(dir.File("src/nan.wav"), float.NaN);
        WavFile.WritePcm16(dir.File("src/good.wav"), new float[4000], 16000);
        var (code, output, error) = Run("convert-wav", dir.File("src"), dir.File("out"), "--config", "v1");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("1 converted, 0 already up to date, 1 failed", output);
        Assert.Contains("nan.wav", error);
        Assert.False(File.Exists(dir.File("out/nan.wav")));
    }

    [Fact]
    public void Embed_refuses_the_file_or_skips_it_with_skip_bad()
    {
        using var tmp = new TempDir();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5, 0.6);
        var bad = tmp.File("audio/nan.wav");
        WriteFloatWav(bad, float.NaN);
        var (code, _, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--out", tmp.File("e.npy"), "--stats", "-6,4", "--device", "cpu");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains(bad, err);
        Assert.False(File.Exists(tmp.File("e.npy")));

        (code, var output, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--out", tmp.File("e.npy"), "--stats", "-6,4", "--skip-bad", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains(bad, err);
        Assert.Contains("2 × 32", output);
    }

    [Fact]
    public void A_nan_outside_the_centre_crop_fails_with_and_without_given_stats()
    {
        using var tmp = new TempDir();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5, 0.6);
        var bad = tmp.File("audio/nan.wav");
        WriteFloatWav(bad, float.NaN, at: 50);          // 8000 samples; the centre 0.25 s (4000) starts at 2000
        foreach (var stats in new[] { new[] { "--stats", "-6,4" }, Array.Empty<string>() })
        {
            var (code, _, err) = Run(["embed", tmp.File("w.pth"), tmp.File("audio"), "--out", tmp.File("e.npy"), "--unit-sec", "0.25", "--device", "cpu", .. stats]);
            Assert.Equal(ExitCodes.Failure, code);
            Assert.Contains(bad + ": not a usable WAV file (frame 50 holds NaN", err);
        }
        Assert.False(File.Exists(tmp.File("e.npy")));
    }

    [Fact]
    public void Training_counts_the_file_as_unreadable()
    {
        using var dir = new TempDir();
        var files = Enumerable.Range(0, 4).Select(k =>
        {
            var path = dir.File($"clips/c{k}.wav");
            Directory.CreateDirectory(dir.File("clips"));
            WavFile.WritePcm16(path, Enumerable.Range(0, 16000).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * (200 + 100 * k) * i / 16000))).ToArray(), 16000);
            return path;
        }).ToList();
        WriteFloatWav(dir.File("clips/nan.wav"), float.NaN);
        var config = ByolAConfig.V1 with { FeatureD = 64, ProjDim = 32, ProjSize = 16, Bs = 2, Epochs = 1, Seed = 1, NumWorkers = 1 };
        var result = Trainer.Run(new TrainOptions { Config = config, AudioDir = dir.File("clips"), OutputDir = dir.File("out"), MaxUnreadableFraction = 0.5 });
        var skipped = Assert.Single(result.Unreadable);
        Assert.Contains("nan.wav", skipped);
        Assert.All(result.Epochs, e => Assert.True(double.IsFinite(e.Loss)));
    }
}
