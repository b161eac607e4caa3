using ByolA.Cli;
using ByolA.Data;
using ByolA.Models;
using ByolA.Onnx;
using ByolA.Probe;
using ByolA.Tasks;
using ByolA.Tests.Probe;
using ByolA.Tests.Support;
using ByolA.Weights;
using Microsoft.ML.OnnxRuntime;
using static ByolA.Tests.Support.CliRunner;

namespace ByolA.Tests.Onnx;

/// <summary>export --classifier: encoder, scaler and head as one ONNX graph that ONNX Runtime runs like ByolAClassifier.</summary>
public class OnnxClassifierTests(Xunit.Abstractions.ITestOutputHelper log)
{
    /// <summary>Evaluates a tone task (single- or multi-label) with a random encoder and an MLP head, saving the classifier.</summary>
    static (string Classifier, TaskMetadata Metadata) Saved(TempDir dir, bool multiLabel)
    {
        var metadata = multiLabel ? ToneTask.WriteMultiLabel(dir.Path) : ToneTask.Write(dir.Path, train: 4, valid: 2, test: 3);
        TorchSharp.torch.manual_seed(5);
        using (var model = new AudioNTT2020(64, 512)) EncoderWeights.Save(model, dir.File("rand.pth"));
        var saved = dir.File("c.byolac");
        var (code, _, err) = Run("evaluate", dir.File("rand.pth"), "t", "1.0", "--metadata", metadata, "--audio-dir", dir.File("audio"),
            "--work", dir.File("work"), "--results", dir.File("results"), "--epochs", "20", "--hidden", "24", "--device", "cpu", "--save-model", saved);
        Assert.True(code == ExitCodes.Ok, err);
        return (saved, TaskMetadata.Read(metadata));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_onnx_classifier_gives_the_torchsharp_probabilities_within_1e4(bool multiLabel)
    {
        using var dir = new TempDir();
        var (saved, metadata) = Saved(dir, multiLabel);
        var onnx = dir.File("c.onnx");
        var (code, output, err) = Run("export", "--classifier", saved, onnx, "--frontend", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("outputs embedding + probabilities", output);

        using var classifier = ByolAClassifier.Load(saved);
        var sounds = metadata.Rows.Take(6).Select(r => AudioLoader.LoadMono(dir.File("audio/" + r.FileName), 16000)).ToList();
        var expected = classifier.Probabilities(sounds, 16000);
        using var session = new InferenceSession(onnx);
        Assert.Equal(string.Join("\n", classifier.Classes), session.ModelMetadata.CustomMetadataMap[OnnxClassifierHead.ClassesKey]);
        Assert.Equal(multiLabel ? "multi-label" : "single-label", session.ModelMetadata.CustomMetadataMap[OnnxClassifierHead.KindKey]);
        var flat = sounds.SelectMany(s => s).ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(flat, [sounds.Count, 16000]);
        using var results = session.Run(new RunOptions(), [OnnxModelInfo.WaveformInput], [input], [OnnxClassifierHead.ProbabilitiesOutput]);
        var actual = results[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal([sounds.Count, classifier.Classes.Count], results[0].GetTensorTypeAndShape().Shape);
        double worst = 0;
        for (int i = 0; i < sounds.Count; i++)
            for (int c = 0; c < classifier.Classes.Count; c++) worst = Math.Max(worst, Math.Abs(actual[i * classifier.Classes.Count + c] - expected[i, c]));
        log.WriteLine($"{(multiLabel ? "multi" : "single")}-label: max |ONNX − TorchSharp| = {worst:E2}");
        Assert.True(worst < 1e-4, $"max |ONNX − TorchSharp| = {worst:E2}");
    }

    [Fact]
    public void Export_classifier_refuses_other_inputs_in_one_line()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("c.byolac"), "x");
        var (code, _, err) = Run("export", "--classifier", dir.File("c.byolac"), dir.File("x.onnx"), "--stats", "-5,5");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--classifier uses the classifier's own normalisation stats", err);
        (code, _, err) = Run("export", "--classifier", dir.File("c.byolac"), dir.File("x.onnx"), "--device", "cpu");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Single(err.Split('\n'), l => l.StartsWith("error:") && l.Contains("not a byola classifier"));
    }
}
