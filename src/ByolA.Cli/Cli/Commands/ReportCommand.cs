using System.CommandLine;
using ByolA.Progress;
using ByolA.Reports;

namespace ByolA.Cli.Commands;

/// <summary><c>byola report [RESULTS_DIR]</c>: the tasks × models table of every TASK-scores.csv, as Markdown and a bar chart.</summary>
public static class ReportCommand
{
    public static Command Create(CliContext context)
    {
        var defaults = new ReportOptions();
        var results = new Argument<string>("results-dir")
        {
            Description = "Folder holding the TASK-scores.csv files that 'byola evaluate' appends to (its --results folder).",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => defaults.ResultsDir,
        };
        var command = new Command("report",
            "Summarise every TASK-scores.csv of a results folder: print a Markdown table (rows: models, one per probe head; columns: tasks and " +
            "their average; cells: test accuracy — or mAP for multi-label tasks, named in the header — mean ± std in % over every run; " +
            "accuracy and mAP are averaged apart) and write it to RESULTS_DIR/" +
            $"{ResultsReport.MarkdownFileName}, with grouped bars and std whiskers in RESULTS_DIR/{ResultsReport.PictureFileName}.")
        {
            results,
        };
        command.SetAction(parse => VerbRunner.Run(context, parse, _ =>
        {
            var result = ResultsReport.Run(new ReportOptions { ResultsDir = parse.GetValue(results)! });
            context.Output.Write(result.Table);
            context.Output.WriteLine();
            context.Output.WriteLine($"table:   {DisplayPath.For(result.MarkdownPath)}");
            context.Output.WriteLine($"picture: {DisplayPath.For(result.PicturePath)}");
            return ExitCodes.Ok;
        }, new FlagNames().Add(nameof(ReportOptions.ResultsDir), results)));
        return command;
    }
}
