using ByolA.Audio;
using ByolA.Configuration;
using ByolA.Learning;
using ByolA.Tests.Support;

namespace ByolA.Tests.Data;

[Collection(ByolA.Tests.Learning.TorchRngCollection.Name)]
public class CompressedTrainingTests
{
    /// <summary>
    /// Two epochs on FLAC, MP3, Ogg Vorbis and Opus files that need converting (44.1/48 kHz, or several channels), read
    /// directly (the second epoch from the decoded cache), train exactly as on their convert-wav outputs: same losses,
    /// same weights. (A file already mono at the rate is used as decoded, as a WAV is, and convert-wav's 16-bit output
    /// of it differs by its rounding.)
    /// </summary>
    [Fact]
    public void Training_on_compressed_files_equals_training_on_their_convert_wav_output()
    {
        using var dir = new TempDir();
        var sources = new[] { "flac/stereo24.flac", "lossy/stereo44k.mp3", "lossy/stereo44k.ogg", "lossy/stereo44k.opus",
                              "flac/stereo16-ms.flac", "flac/stereo32.flac", "flac/surround6.flac", "lossy/mono16k.opus" };
        var compressed = sources.Select(Fixtures.Path_).ToList();
        var converted = sources.Select((s, i) => dir.File($"wav/{i}.wav")).ToList();
        Directory.CreateDirectory(dir.File("wav"));
        for (int i = 0; i < sources.Length; i++) WavConverter.ConvertFile(compressed[i], converted[i], 16000);
        var config = ByolAConfig.V1 with { FeatureD = 64, ProjDim = 32, ProjSize = 16, Bs = 4, Epochs = 2, Lr = 1e-3, Seed = 7, NumWorkers = 2, UnitSec = 0.3 };
        config = config with { Shape = [64, 31] };
        var direct = Trainer.Run(new TrainOptions { Config = config, Files = compressed, OutputDir = dir.File("direct") });
        var viaWav = Trainer.Run(new TrainOptions { Config = config, Files = converted, OutputDir = dir.File("wav-run") });
        Assert.Equal(viaWav.Epochs.Select(e => e.Loss), direct.Epochs.Select(e => e.Loss));
        var a = ByolA.Weights.EncoderWeights.ReadStateDict(viaWav.WeightsPath);
        var b = ByolA.Weights.EncoderWeights.ReadStateDict(direct.WeightsPath);
        Assert.All(a, kv => Assert.True(kv.Value.eq(b[kv.Key]).all().item<bool>(), kv.Key));
    }
}
