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

    /// <summary>Throws <see cref="OptionException"/> naming the first property that cannot work.</summary>
    public OnnxExportOptions Validate()
    {
        if (Stats is var (mean, std) && (!double.IsFinite(mean) || !double.IsFinite(std) || std <= 0))
            throw OptionException.Invalid(nameof(Stats), $"must be finite with a positive std (got mean {mean}, std {std})");
        if (FrontEnd && Stats == null)
            throw new OptionException("{0} puts the front end in the graph, which normalises its log-mel, so it needs {1}: give MEAN,STD or a folder of training audio to compute them from",
                nameof(FrontEnd), nameof(Stats));
        if (!OnnxModelFile.IsOnnx(OutPath)) throw OptionException.Invalid(nameof(OutPath), $"must be a file name ending in .onnx (got {ByolAException.Escape(OutPath)})");
        if (OnnxModelFile.IsOnnx(WeightsPath)) throw OptionException.Invalid(nameof(WeightsPath), $"is already an ONNX model ({ByolAException.Escape(WeightsPath)}); export reads PyTorch weights (.pth)");
        return this;
    }
}
