using ByolA.Tasks;
using ByolA.Data;
using ByolA.Tests.Probe;
using ByolA.Probe;
using ByolA.Weights;
using ByolA.Models;
using ByolA.Onnx;
using ByolA.Tests.Support;

namespace ByolA.Tests.Onnx;

public class OnnxEvaluateTests
{
    [Fact]
    public void An_exported_model_evaluates_as_its_weights_do()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, train: 4, valid: 2, test: 2);
        TorchSharp.torch.manual_seed(5);
        using (var model = new AudioNTT2020(64, 64)) EncoderWeights.Save(model, dir.File("w.pth"));
        OnnxExporter.Export(new OnnxExportOptions { WeightsPath = dir.File("w.pth"), OutPath = dir.File("w.onnx") });
        EvaluateOptions Options(string weights) => new()
        {
            Weights = weights, MetadataPath = metadata, AudioDir = dir.File("audio"), UnitSec = 1.0, Repeat = 1,
            WorkRoot = dir.File("work"), ResultsDir = null, UseCache = false, ModelName = "m",
        };
        var torch = LinearEvaluation.Run(Options(dir.File("w.pth")));
        var onnx = LinearEvaluation.Run(Options(dir.File("w.onnx")));
        Assert.Equal(64, onnx.FeatureD);
        Assert.Equal(torch.Clips, onnx.Clips);
        Assert.Equal(torch.Accuracies, onnx.Accuracies);
    }

    [Fact]
    public void A_classifier_saved_from_an_onnx_encoder_classifies_through_onnx_runtime_and_reproduces_its_accuracy()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, train: 4, valid: 2, test: 3);
        TorchSharp.torch.manual_seed(6);
        using (var model = new AudioNTT2020(64, 64)) EncoderWeights.Save(model, dir.File("w.pth"));
        OnnxExporter.Export(new OnnxExportOptions { WeightsPath = dir.File("w.pth"), OutPath = dir.File("w.onnx") });
        var result = LinearEvaluation.Run(new EvaluateOptions
        {
            Weights = dir.File("w.onnx"), MetadataPath = metadata, AudioDir = dir.File("audio"), UnitSec = 1.0, Repeat = 1,
            WorkRoot = dir.File("work"), ResultsDir = null, UseCache = false, SaveModel = dir.File("c.byolac"),
        });
        // A torch device given is not passed to ONNX Runtime, which runs the encoder on the CPU.
        using var classifier = ByolAClassifier.Load(dir.File("c.byolac"), TorchSharp.torch.CPU);
        Assert.Equal("encoder.onnx", classifier.File.EncoderEntry);
        var test = TaskMetadata.Read(metadata).Rows.Where(r => r.Split == Splits.Test).ToList();
        var top = classifier.Classify(test.Select(r => AudioLoader.LoadMono(dir.File("audio/" + r.FileName), 16000)).ToList(), 16000);
        Assert.Equal(result.Accuracies[0], (double)test.Zip(top).Count(p => p.First.Label == p.Second[0].Label) / test.Count, 12);
    }
}
