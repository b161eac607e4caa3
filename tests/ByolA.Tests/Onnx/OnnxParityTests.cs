using ByolA.Embedding;
using ByolA.Weights;
using ByolA.Audio;
using ByolA.Configuration;
using ByolA.Models;
using ByolA.Onnx;
using ByolA.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ByolA.Tests.Onnx;

/// <summary>
/// Exported files run by ONNX Runtime as they are (no ByolA code in the loop) against the TorchSharp encoder on the
/// same audio: pooled and frame outputs within 1e-4 of max |ref|, with and without the front end in the graph, for
/// clip lengths whose frame counts are even and odd at every layer.
/// </summary>
public class OnnxParityTests(ITestOutputHelper output)
{
    const double Bound = 1e-4;
    static readonly NormStats Stats = new(-5.5, 4.75);

    // 0.3 s and 1.37 s: 31 and 138 log-mel frames; conv1/conv2 then have 15/7 and 69/34 frames, so the X model's
    // halving meets odd lengths at both steps and an even one.
    static readonly int[] Lengths = [4800, 21920];

    [SharedDataFact("reference/AudioNTT2020-BYOLA-64x96d512.pth")]
    public void Official_d512_AudioNTT2020_matches_torch() => CheckParity(SharedData.OfficialD512Weights, layered: false, "AudioNTT2020");

    [Fact]
    public void Layered_AudioNTT2020X_matches_torch()
    {
        using var dir = new TempDir();
        var path = dir.File("x-random-d512.pth");
        using (var model = new AudioNTT2020(64, 512)) SaveRandomised(model, path);
        CheckParity(path, layered: true, "AudioNTT2020X");
    }

    [Fact]
    public void AudioNTT2022_matches_torch()
    {
        using var dir = new TempDir();
        var path = dir.File("v2-random-d2048.pth");
        using (var model = new AudioNTT2022(64, 2048, 512)) SaveRandomised(model, path);
        CheckParity(path, layered: false, "AudioNTT2022");
    }

    /// <summary>Random weights and BatchNorm statistics (the defaults would make BN folding trivial), saved by our writer.</summary>
    internal static void SaveRandomised(nn.Module model, string path)
    {
        manual_seed(7);
        using (no_grad())
            foreach (var (name, t) in model.state_dict())
            {
                if (!t.is_floating_point()) continue;
                if (name.EndsWith("running_var")) t.copy_(rand_like(t) + 0.5);
                else if (name.EndsWith("running_mean") || (name.EndsWith("bias") && name.StartsWith("features"))) t.copy_(randn_like(t) * 0.1);
                else if (name.EndsWith("weight") && t.dim() == 1) t.copy_(rand_like(t) + 0.5);
            }
        EncoderWeights.Save(model, path);
    }

    void CheckParity(string weights, bool layered, string kind)
    {
        using var dir = new TempDir();
        var config = ByolAConfig.V1;
        var withFrontEnd = dir.File("fe.onnx");
        var plain = dir.File("plain.onnx");
        OnnxExporter.Export(new OnnxExportOptions { WeightsPath = weights, OutPath = withFrontEnd, FrontEnd = true, Stats = (Stats.Mean, Stats.Std), Frames = true, Layered = layered });
        OnnxExporter.Export(new OnnxExportOptions { WeightsPath = weights, OutPath = plain, Frames = true, Layered = layered });

        using var loaded = EncoderLoader.Load(weights, CPU, layered);
        Assert.Equal(kind, OnnxModelFile.Load(withFrontEnd).Info.ModelKind);
        using var logMel = new LogMelSpectrogram(config.FrontEnd);
        using var fe = new InferenceSession(withFrontEnd);
        using var pl = new InferenceSession(plain);
        foreach (int samples in Lengths)
        {
            using var scope = NewDisposeScope();
            var wav = TestAudio(2, samples);
            var lms = Stats.Normalise(logMel.forward(tensor(wav, [2, samples]))).unsqueeze(1);
            var refPooled = loaded.Encoder.Pooled(lms);
            var refFrames = loaded.Encoder.Frames(lms);

            var feOut = Run(fe, OnnxModelInfo.WaveformInput, wav, [2, samples]);
            var plOut = Run(pl, OnnxModelInfo.LogMelInput, lms.contiguous().data<float>().ToArray(), lms.shape);
            foreach (var (name, outputs) in new[] { ("frontend", feOut), ("log-mel input", plOut) })
            {
                double pooled = ScaledError(outputs[OnnxModelInfo.EmbeddingOutput], refPooled);
                double frames = ScaledError(outputs[OnnxModelInfo.FramesOutput], refFrames);
                output.WriteLine($"{kind} {samples} samples, {name}: pooled {pooled:E2}, frames {frames:E2} (of max |ref|)");
                Assert.True(pooled <= Bound, $"{kind} {name} {samples}: pooled error {pooled:E2}");
                Assert.True(frames <= Bound, $"{kind} {name} {samples}: frames error {frames:E2}");
            }
        }
    }

    static Dictionary<string, (float[] Values, long[] Shape)> Run(InferenceSession session, string input, float[] data, long[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var results = session.Run(new RunOptions(), [input], [value], session.OutputNames.ToArray());
        return session.OutputNames.Select((n, i) => (n, results[i]))
            .ToDictionary(p => p.n, p => (p.Item2.GetTensorDataAsSpan<float>().ToArray(), p.Item2.GetTensorTypeAndShape().Shape));
    }

    /// <summary>max |ours − ref| / max |ref|, after checking the shapes agree.</summary>
    internal static double ScaledError((float[] Values, long[] Shape) ours, Tensor reference)
    {
        Assert.Equal(reference.shape, ours.Shape);
        var r = reference.contiguous().data<float>().ToArray();
        double maxRef = r.Max(Math.Abs), maxDiff = 0;
        for (int i = 0; i < r.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(ours.Values[i] - r[i]));
        return maxDiff / maxRef;
    }

    /// <summary>Tones, a chirp and noise at different levels (seeded), row-major (count, samples).</summary>
    internal static float[] TestAudio(int count, int samples, int seed = 3)
    {
        var rng = new Random(seed);
        var wav = new float[count * samples];
        for (int c = 0; c < count; c++)
        {
            double f0 = 110 + 900 * rng.NextDouble(), level = 0.05 + 0.5 * rng.NextDouble();
            for (int n = 0; n < samples; n++)
            {
                double t = n / 16000.0;
                double chirp = Math.Sin(2 * Math.PI * (200 * t + 1500 * t * t));
                wav[c * samples + n] = (float)(level * (Math.Sin(2 * Math.PI * f0 * t) + 0.3 * chirp) + 0.02 * (rng.NextDouble() * 2 - 1));
            }
        }
        return wav;
    }
}
