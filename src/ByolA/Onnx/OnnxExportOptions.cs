using ByolA.Configuration;
using ByolA.Evaluation;

namespace ByolA.Onnx;

/// <summary>
/// What to export: the weights (any file the encoder loader reads), the .onnx path, whether the graph includes the
/// log-mel front end and normalisation (then stats are needed: given, or computed from <see cref="StatsFrom"/>),
/// whether it also outputs frame features, and whether it is the layered AudioNTT2020X (v1 weights only).
/// </summary>
public sealed record OnnxExportOptions
{
    public required string WeightsPath { get; init; }
    public required string OutPath { get; init; }
    public bool FrontEnd { get; init; }
    public NormStats? Stats { get; init; }
    public string? StatsFrom { get; init; }
    public bool Frames { get; init; }
    public bool Layered { get; init; }
    public ByolAConfig Config { get; init; } = ByolAConfig.V1;
    public int StatsMaxFiles { get; init; } = NormStatsCalculator.DefaultMaxFiles;

    /// <summary>Throws <see cref="ByolAException"/> naming the first option that cannot work.</summary>
    public OnnxExportOptions Validate()
    {
        if (Stats != null && StatsFrom != null) throw new ByolAException("give normalisation stats either as values or as a folder to compute them from, not both");
        Stats?.Validate();
        if (FrontEnd && Stats == null && StatsFrom == null)
            throw new ByolAException("a model with the front end in the graph normalises its log-mel, so it needs stats: give MEAN,STD or a folder of training audio to compute them from");
        if (!OnnxModelFile.IsOnnx(OutPath)) throw new ByolAException($"{OutPath}: the output must be an .onnx file");
        if (OnnxModelFile.IsOnnx(WeightsPath)) throw new ByolAException($"{WeightsPath}: already an ONNX model; export reads PyTorch weights (.pth)");
        if (StatsMaxFiles <= 0) throw new ByolAException($"the stats sample size must be positive (got {StatsMaxFiles})");
        return this;
    }
}
