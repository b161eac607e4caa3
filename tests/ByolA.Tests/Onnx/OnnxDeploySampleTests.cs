using ByolA.Tests.Embedding;
using ByolA.Embedding;
using System.Diagnostics;
using System.Globalization;
using ByolA.Audio;
using ByolA.Data;
using ByolA.Configuration;
using ByolA.Onnx;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Onnx;

/// <summary>The README's deploy program (samples/OnnxEmbed: ONNX Runtime only) embeds a WAV as TorchSharp does.</summary>
public class OnnxDeploySampleTests
{
    [Fact]
    public async Task The_deploy_sample_embeds_a_wav_like_the_torch_encoder()
    {
        // Built with the tests (project reference), in the same configuration.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var sample = Path.Combine(SharedData.RepoRoot, "samples", "OnnxEmbed", "bin", configuration, "net10.0", "OnnxEmbed.dll");
        Assert.True(File.Exists(sample), $"{sample} not built");

        using var tmp = new TempDir();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        var wav = EmbedderTestAudio.WriteClips(tmp.File("audio"), 1.3)[0];
        var stats = new NormStats(-6, 4);
        OnnxExporter.Export(new OnnxExportOptions { WeightsPath = tmp.File("w.pth"), OutPath = tmp.File("m.onnx"), FrontEnd = true, Stats = (stats.Mean, stats.Std) });

        var start = new ProcessStartInfo("dotnet", [sample, tmp.File("m.onnx"), wav]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var err = process.StandardError.ReadToEndAsync();
        var line = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, await err);
        var ours = line.Trim().Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        using var logMel = new LogMelSpectrogram(ByolAConfig.V1.FrontEnd);
        using var samples = tensor(AudioLoader.LoadMono(wav, 16000));
        using var reference = encoder.Pooled(stats.Normalise(logMel.forward(samples)).unsqueeze(0).unsqueeze(0));
        double error = OnnxParityTests.ScaledError((ours, [1, ours.Length]), reference);
        Assert.True(error <= 1e-4, $"scaled error {error:E2}");
    }
}
