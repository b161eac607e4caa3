namespace ByolA.Reports;

/// <summary>What <see cref="ResultsReport.Run"/> summarises. Call <see cref="Validate"/> first.</summary>
public sealed record ReportOptions
{
    /// <summary>The results folder <c>evaluate</c> writes to: its <c>TASK-scores.csv</c> files are read, and
    /// <see cref="ResultsReport.MarkdownFileName"/> and <see cref="ResultsReport.PictureFileName"/> are written there.</summary>
    public string ResultsDir { get; init; } = "results";

    /// <summary>
    /// Throws <see cref="OptionException"/> for an empty <see cref="ResultsDir"/>, <see cref="ByolAException"/> when it
    /// is not an existing folder.
    /// </summary>
    public ReportOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(ResultsDir)) throw OptionException.Invalid(nameof(ResultsDir), "must name a folder");
        if (File.Exists(ResultsDir))
            throw new ByolAException($"{ResultsDir}: is a file; give the folder holding the TASK-scores.csv files 'byola evaluate' writes");
        if (!Directory.Exists(ResultsDir))
            throw new ByolAException($"{ResultsDir}: results folder not found; run 'byola evaluate' first, or give the folder it wrote TASK-scores.csv files to");
        return this;
    }
}
