using ByolA.Configuration;
using ByolA.Audio;
using ByolA.Learning;
using ByolA.Onnx;
using ByolA.Tests.Data;
using ByolA.Tests.Support;

namespace ByolA.Tests.Audio;

/// <summary>
/// A 32 kHz model end to end (issue 26, item 2): the front end's n_fft, window and hop come from the config (here the
/// 16 kHz values scaled by 2: 2048, 2048, 320, so a frame is still 10 ms and 0.95 s still gives 96 frames); compressed
/// files at 44.1/48 kHz are read directly and resampled to 32 kHz; training, statistics, embedding, timestamps and an
/// ONNX export with the front end all run at that rate.
/// </summary>
[Collection(ByolA.Tests.Learning.TorchRngCollection.Name)]
public class HigherSampleRateTests
{
    [Fact]
    public void Trains_and_embeds_at_32_kHz()
    {
        using var dir = new TempDir();
        // The shipped 32 kHz config (the v1 recipe with the 16 kHz front end scaled by 2), with a tiny model.
        var shipped = ConfigLoader.Load(Path.Combine(SharedData.RepoRoot, "configs", "config_32k.yaml")).Validate("config_32k.yaml");
        Assert.Equal((32000, 2048, 2048, 320, 15600.0), (shipped.SampleRate, shipped.NFft, shipped.WinLength, shipped.HopLength, shipped.FMax));
        Assert.Equal(ByolAConfig.V1 with { SampleRate = 32000, NFft = 2048, WinLength = 2048, HopLength = 320, FMax = 15600, Shape = shipped.Shape }, shipped);
        var config = shipped with { FeatureD = 64, ProjDim = 32, ProjSize = 16, Bs = 4, Epochs = 1, Lr = 1e-3, Seed = 7, NumWorkers = 2 };
        var audioDir = dir.File("audio");
        Directory.CreateDirectory(audioDir);
        foreach (var name in new[] { "lossy/stereo44k.mp3", "lossy/stereo44k.ogg", "lossy/stereo44k.opus", "flac/stereo24.flac", "flac/stereo16-ms.flac", "lossy/mono16k.ogg" })
            File.Copy(Fixtures.Path_(name), Path.Combine(audioDir, Path.GetFileName(name)));
        var result = Trainer.Run(new TrainOptions { Config = config, AudioDir = audioDir, OutputDir = dir.File("out") });
        Assert.True(double.IsFinite(result.Epochs[0].Loss));

        // The weights remember their rate, and refuse a config of another in one line.
        Assert.Equal(32000, ByolA.Weights.EncoderWeights.SampleRateOf(result.WeightsPath));
        var refused = Assert.Throws<ByolAException>(() => ByolAModel.Load(result.WeightsPath, new NormStats(-5, 4)));
        Assert.Equal($"{result.WeightsPath}: trained at 32000 Hz, but the config's sample_rate is 16000 Hz; use the config it was trained with " +
                     "(sample_rate 32000 and its n_fft, win_length, hop_length)", refused.Message);
        var (code, _, err) = CliRunner.Run("embed", result.WeightsPath, audioDir, "--out", dir.File("e.npy"), "--stats", "-5,4", "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Contains("trained at 32000 Hz", err);
        Assert.Throws<ByolAException>(() => OnnxExporter.Export(new OnnxExportOptions { WeightsPath = result.WeightsPath, OutPath = dir.File("x.onnx") }));

        var stats = ByolAModel.ComputeStats(audioDir, config);
        using var model = ByolAModel.Load(result.WeightsPath, stats, config);
        Assert.Equal((32000, 10.0 * 8), (model.SampleRate, model.TimestampHopMs));
        var scene = model.EmbedFile(Path.Combine(audioDir, "stereo44k.mp3"));
        Assert.Equal(64, scene.Length);
        Assert.All(scene, v => Assert.True(float.IsFinite(v)));

        // One second at 32 kHz: 101 frames of 10 ms, 12 after the encoder's stride of 8, centred at 35, 115, … ms.
        var second = Enumerable.Range(0, 32000).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * 440 * i / 32000.0) + 0.01 * Math.Sin(i))).ToArray();
        var stamped = model.TimestampEmbeddings([second], 32000);
        Assert.Equal(12, stamped.Embeddings[0].Length);
        Assert.Equal([35f, 115f], stamped.TimestampsMs[0][..2]);
        Assert.Throws<ArgumentException>(() => model.SceneEmbeddings([second], 16000));

        var onnx = dir.File("model.onnx");
        OnnxExporter.Export(new OnnxExportOptions { WeightsPath = result.WeightsPath, OutPath = onnx, Config = config });
        using var exported = ByolAModel.Load(onnx, stats, config);
        Assert.Equal(32000, exported.SampleRate);
        var expected = model.SceneEmbeddings([second], 32000)[0];
        var actual = exported.SceneEmbeddings([second], 32000)[0];
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * scale, $"{i}: {expected[i]} vs {actual[i]}");
    }
}
