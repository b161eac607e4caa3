using ByolA.Audio;
using ByolA.Data;
using ByolA.Onnx;
using ByolA.Progress;
using static TorchSharp.torch;

namespace ByolA.Onnx;

/// <summary>
/// The whole <c>byola export</c> run: normalisation stats as given or computed from a folder of audio (as
/// <c>embed</c> computes them), then <see cref="OnnxExporter.Export"/>.
/// </summary>
public static class OnnxExportJob
{
    public static OnnxExportResult Run(OnnxExportOptions options, string? statsFrom, IProgressReporter progress, CancellationToken ct)
    {
        if (options.Stats != null && statsFrom != null) throw new ByolAException("give normalisation stats either as values or as a folder to compute them from, not both");
        // Checked before the stats are computed (minutes on a big folder): stats from a folder count as given.
        (options with { Stats = options.Stats ?? (statsFrom != null ? (0, 1) : null) }).Validate();
        Data.AtomicFile.CheckWritable(options.OutPath);
        if (statsFrom != null)
        {
            var stats = NormStatsCalculator.Compute(EmbedderInputs.Expand([statsFrom]), options.Config, CPU, seed: options.Config.Seed,
                progress: progress, ct: ct);
            progress.Message($"normalisation stats from {statsFrom}: mean,std = {stats}");
            options = options with { Stats = (stats.Mean, stats.Std) };
        }
        return OnnxExporter.Export(options, ct);
    }
}
