using ByolA.Configuration;

namespace ByolA.Onnx;

/// <summary>
/// What to export: the weights (any file the encoder loader reads), the .onnx path, whether the graph includes the
/// log-mel front end and normalisation (then <see cref="Stats"/> are needed),
/// whether it also outputs frame features, and whether it is the layered AudioNTT2020X (v1 weights only).
/// </summary>
public sealed record OnnxExportOptions
{
    public required string WeightsPath { get; init; }
    public required string OutPath { get; init; }
    public bool FrontEnd { get; init; }
    /// <summary>Normalisation mean and std of the log-mel; recorded in the metadata, and in the graph with <see cref="FrontEnd"/>.</summary>
    public (double Mean, double Std)? Stats { get; init; }
    public bool Frames { get; init; }
    public bool Layered { get; init; }
    public ByolAConfig Config { get; init; } = ByolAConfig.V1;

    /// <summary>Throws <see cref="ByolAException"/> naming the first option that cannot work.</summary>
    public OnnxExportOptions Validate()
    {
        if (Stats is var (mean, std) && (!double.IsFinite(mean) || !double.IsFinite(std) || std <= 0))
            throw new ByolAException($"normalisation stats must be finite with a positive std (got mean {mean}, std {std})");
        if (FrontEnd && Stats == null)
            throw new ByolAException("a model with the front end in the graph normalises its log-mel, so it needs stats: give MEAN,STD or a folder of training audio to compute them from");
        if (!OnnxModelFile.IsOnnx(OutPath)) throw new ByolAException($"{OutPath}: the output must be an .onnx file");
        if (OnnxModelFile.IsOnnx(WeightsPath)) throw new ByolAException($"{WeightsPath}: already an ONNX model; export reads PyTorch weights (.pth)");
        return this;
    }
}
