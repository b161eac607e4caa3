using ByolA.Configuration;
using ByolA.Onnx;

namespace ByolA.Probe;

/// <summary>
/// <c>byola export</c> of a classifier as a library call: a saved classifier (<see cref="ClassifierFile"/>) as one ONNX
/// graph — its encoder (with the log-mel front end and the classifier's normalisation stats when
/// <c>frontEnd</c>, else reading normalised log-mel as a plain export does), then the scaler and head,
/// outputting <c>embedding</c> (batch, d) and <see cref="OnnxClassifierHead.ProbabilitiesOutput"/> (batch, C).
/// </summary>
public static class ClassifierExport
{
    public static OnnxExportResult Run(string classifierPath, string outPath, bool frontEnd, CancellationToken ct = default)
    {
        if (!OnnxModelFile.IsOnnx(outPath))
            throw new OptionException($"{{0}} must be a file name ending in .onnx (got {OptionException.Escape(outPath)})", nameof(OnnxExportOptions.OutPath));
        Data.AtomicFile.CheckWritable(outPath);
        var folder = Path.Combine(Path.GetTempPath(), "byola-classifier-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (file, encoderPath) = ClassifierFile.Read(classifierPath, folder);
            if (OnnxModelFile.IsOnnx(encoderPath))
                throw new ByolAException($"{classifierPath}: its encoder is an ONNX model; a classifier is exported from PyTorch encoder weights — " +
                                         "evaluate the .pth weights with the save-model option and export that classifier");
            var fe = file.FrontEnd;
            var config = ByolAConfig.V1 with
            {
                SampleRate = fe.SampleRate, NFft = fe.NFft, WinLength = fe.WinLength, HopLength = fe.HopLength, NMels = fe.NMels,
                FMin = fe.FMin, FMax = fe.FMax, UnitSec = file.UnitSec,
            };
            var options = new OnnxExportOptions
            {
                WeightsPath = encoderPath, OutPath = outPath, FrontEnd = frontEnd, Stats = (file.Stats.Mean, file.Stats.Std), Config = config,
            };
            var head = new OnnxClassifierHead(file.ScalerMean, file.ScalerScale, file.Layers, file.MultiLabel, file.Classes);
            return OnnxExporter.Export(options, ct, head);
        }
        finally
        {
            try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
            catch (Exception e) when (Data.IoErrors.IsIo(e)) { }
        }
    }
}
