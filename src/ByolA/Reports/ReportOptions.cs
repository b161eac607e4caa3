namespace ByolA.Reports;

/// <summary>What <see cref="ResultsReport.Run"/> summarises. Call <see cref="Validate"/> first.</summary>
public sealed record ReportOptions
{
    /// <summary>The results folder <c>evaluate</c> writes to: its <c>TASK-scores.csv</c> files are read, and
    /// <see cref="ResultsReport.MarkdownFileName"/> and <see cref="ResultsReport.PictureFileName"/> are written there.</summary>
    public string ResultsDir { get; init; } = "results";

    public ReportOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(ResultsDir)) throw new ByolAException("the results folder must be named");
        if (File.Exists(ResultsDir))
            throw new ByolAException($"{ResultsDir}: is a file; give the folder holding the TASK-scores.csv files 'byola evaluate' writes");
        if (!Directory.Exists(ResultsDir))
            throw new ByolAException($"{ResultsDir}: results folder not found; run 'byola evaluate' first, or give the folder it wrote TASK-scores.csv files to");
        return this;
    }
}
