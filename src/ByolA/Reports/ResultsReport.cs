using System.Globalization;
using System.Text;
using ByolA.Data;

namespace ByolA.Reports;

/// <summary>
/// <c>byola report</c> as a library call: the tasks × models table of a results folder (<see cref="ResultsSummary"/>),
/// written as <see cref="MarkdownFileName"/> and drawn as <see cref="PictureFileName"/> (grouped bars with std
/// whiskers, <see cref="SummaryPlot"/>), both into that folder and atomically.
/// </summary>
public static class ResultsReport
{
    public const string MarkdownFileName = "summary.md";
    public const string PictureFileName = "summary.png";

    public static ResultsReportResult Run(ReportOptions options)
    {
        options.Validate();
        var summary = ResultsSummary.Read(options.ResultsDir);
        var table = summary.ToMarkdown();
        var markdownPath = Path.Combine(options.ResultsDir, MarkdownFileName);
        var picturePath = Path.Combine(options.ResultsDir, PictureFileName);
        var (minRuns, maxRuns) = summary.RunsPerCell;
        var runs = minRuns == maxRuns ? minRuns.ToString(CultureInfo.InvariantCulture) : $"{minRuns}–{maxRuns}";
        var text = new StringBuilder()
            .Append("# Probe evaluation results\n\n")
            .Append(table)
            .Append('\n')
            .Append(Measure(summary))
            .Append($" of a probe on each model's frozen embeddings (a linear probe, or the head named after the model in brackets): ")
            .Append($"mean ± std (population) over every run of every evaluation of the model on the task ({runs} runs per cell); ")
            .Append(summary.MixedMetrics
                ? "each average is the mean of one metric's task means, for models evaluated on every task of that metric (accuracy and mAP are never averaged together). "
                : "average: the mean of the task means, for models evaluated on every task. ")
            .Append("Read from ")
            .AppendJoin(", ", summary.Files.Select(f => MarkdownText.Escape(Path.GetFileName(f))))
            .Append($".\n\n![tasks × models]({PictureFileName})\n")
            .ToString();
        AtomicFile.Write(markdownPath, s =>
        {
            using var w = new StreamWriter(s, new UTF8Encoding(false), leaveOpen: true);
            w.Write(text);
        });
        SummaryPlot.Write(summary, picturePath);
        return new ResultsReportResult(summary, table, markdownPath, picturePath);
    }

    /// <summary>What the cells measure, in words.</summary>
    static string Measure(ResultsSummary summary) =>
        summary.MixedMetrics ? "Test accuracy (%) on single-label tasks and mAP (%, macro mean of per-class average precision) on multi-label tasks, as each column says,"
        : summary.Metrics[0] == ScoresCsv.Accuracy ? "Test accuracy (%)" : "Test mAP (%, macro mean of per-class average precision)";
}
