namespace ByolA.Reports;

/// <summary>What <see cref="ResultsReport.Run"/> read and wrote: the table as Markdown and the two files' paths.</summary>
public sealed record ResultsReportResult(ResultsSummary Summary, string Table, string MarkdownPath, string PicturePath);
