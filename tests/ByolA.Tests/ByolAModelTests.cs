using ByolA.Audio;
using ByolA.Tests.Embedding;
using ByolA.Embedding;
using ByolA.Configuration;
using ByolA.Models;
using ByolA.Onnx;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests;

public class ByolAModelTests
{
    [Fact]
    public void Hear_shaped_calls_give_scene_and_timestamp_embeddings_of_sounds_of_any_length()
    {
        using var tmp = new TempDir();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        var files = EmbedderTestAudio.WriteClips(tmp.File("audio"), 1.0, 2.0);
        var stats = ByolAModel.ComputeStats(tmp.File("audio"));
        Assert.Equal(NormStatsCalculator.Compute(files, ByolAConfig.V1), stats);

        using var model = ByolAModel.Load(tmp.File("w.pth"), stats);
        Assert.Equal((16000, 32, 32, 80.0), (model.SampleRate, model.SceneEmbeddingSize, model.TimestampEmbeddingSize, model.TimestampHopMs));
        var audio = files.Select(EmbedderTestAudio.ReadBack).ToArray();

        var scene = model.SceneEmbeddings(audio, 16000);
        Assert.Equal(2, scene.Length);
        Assert.All(scene, row => Assert.Equal(32, row.Length));
        Assert.Equal(scene[1], model.EmbedFile(files[1]));

        var stamped = model.TimestampEmbeddings(audio, 16000);
        Assert.Equal([12, 25], stamped.Embeddings.Select(e => e.Length));        // 101 and 201 log-mel frames / 8
        Assert.Equal([35f, 115f], stamped.TimestampsMs[0][..2]);
        Assert.Equal(25, stamped.TimestampsMs[1].Length);
        using var frames = new FrameEmbedder(encoder, stats, ByolAConfig.V1);
        using var expected = frames.Frames(audio[1]);
        Assert.Equal(expected[7].data<float>().ToArray(), stamped.Embeddings[1][7]);

        Assert.Throws<ArgumentException>(() => model.SceneEmbeddings(audio, 44100));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_exported_onnx_model_gives_the_embeddings_of_its_pth_through_the_same_calls(bool v2)
    {
        using var tmp = new TempDir();
        var weights = tmp.File(v2 ? "v2.pth" : "v1.pth");
        using (var m = v2 ? (TorchSharp.torch.nn.Module)new AudioNTT2022(64, 2048, 512) : new AudioNTT2020(64, 32))
            Onnx.OnnxParityTests.SaveRandomised(m, weights);
        var stats = new NormStats(-5.5, 4.75);
        var onnx = tmp.File("model.onnx");
        OnnxExporter.Export(new OnnxExportOptions { WeightsPath = weights, OutPath = onnx, Frames = true });
        // 0.05 s is padded to the shortest length, 0.9 s is shorter than unit_sec, 2.3 s is longer
        float[][] audio = [Tone(800), Tone(14400), Tone(36800)];

        using var torchModel = ByolAModel.Load(weights, stats);
        using var onnxModel = ByolAModel.Load(onnx, stats);
        Assert.True(onnxModel.IsOnnx);
        Assert.Equal((torchModel.SceneEmbeddingSize, torchModel.TimestampHopMs, torchModel.Architecture),
                     (onnxModel.SceneEmbeddingSize, onnxModel.TimestampHopMs, onnxModel.Architecture));

        var expected = torchModel.SceneEmbeddings(audio, 16000);
        var actual = onnxModel.SceneEmbeddings(audio, 16000);
        for (int i = 0; i < audio.Length; i++) AssertClose(expected[i], actual[i], $"sound {i}");

        var expectedFrames = torchModel.TimestampEmbeddings(audio, 16000);
        var actualFrames = onnxModel.TimestampEmbeddings(audio, 16000);
        for (int i = 0; i < audio.Length; i++)
        {
            Assert.Equal(expectedFrames.TimestampsMs[i], actualFrames.TimestampsMs[i]);
            Assert.Equal(expectedFrames.Embeddings[i].Length, actualFrames.Embeddings[i].Length);
            AssertClose(expectedFrames.Embeddings[i].SelectMany(r => r).ToArray(), actualFrames.Embeddings[i].SelectMany(r => r).ToArray(), $"frames of sound {i}");
        }
    }

    [Fact]
    public void An_onnx_model_without_frames_says_so_when_asked_for_timestamps()
    {
        using var tmp = new TempDir();
        var weights = tmp.File("v1.pth");
        using (var m = new AudioNTT2020(64, 32)) Onnx.OnnxParityTests.SaveRandomised(m, weights);
        var onnx = tmp.File("pooled-only.onnx");
        OnnxExporter.Export(new OnnxExportOptions { WeightsPath = weights, OutPath = onnx });
        using var model = ByolAModel.Load(onnx, new NormStats(-5.5, 4.75));
        Assert.Equal(32, model.SceneEmbeddings([Tone(16000)], 16000)[0].Length);
        var e = Assert.Throws<ByolAException>(() => model.TimestampEmbeddings([Tone(16000)], 16000));
        Assert.Contains("pooled-only.onnx", e.Message);
        Assert.Contains("frame", e.Message);
    }

    /// <summary>
    /// A tone over a noise floor, as recordings have. A pure tone leaves mel bins at almost no power, where the log
    /// magnifies the engines' float32 STFT differences (v2 frames of a pure 0.9 s tone: 1.9e-4 of max |ref|).
    /// </summary>
    static float[] Tone(int samples)
    {
        var rng = new Random(samples);
        return Enumerable.Range(0, samples).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * 440 * i / 16000.0) + 0.02 * (rng.NextDouble() - 0.5))).ToArray();
    }

    /// <summary>Within 1e-4 of max |expected|, the ONNX parity bound.</summary>
    static void AssertClose(float[] expected, float[] actual, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs((double)v)), worst = expected.Zip(actual, (a, b) => Math.Abs((double)a - b)).Max();
        Assert.True(worst <= 1e-4 * scale, $"{what}: max |Δ| {worst:E3} > 1e-4 × {scale:E3}");
    }
}
