using ByolA.Probe;
using System.Globalization;
using ByolA.Cli;
using ByolA.Reports;
using ByolA.Tests.Support;

namespace ByolA.Tests.Reports;

public class ResultsReportTests
{
    /// <summary>
    /// A results folder as evaluate leaves it (rows appended by <see cref="ScoresCsv.Append"/>): three models on two
    /// tasks, model "b" evaluated twice on spcv2 (its runs pool), model "c" never on us8k. Returns every run by cell.
    /// </summary>
    static Dictionary<(string Model, string Task), List<double>> WriteResults(string dir)
    {
        var runs = new Dictionary<(string, string), List<double>>();
        var random = new Random(5);
        void Evaluate(string model, string task, int repeat)
        {
            var acc = Enumerable.Range(0, repeat).Select(_ => Math.Round(0.5 + 0.45 * random.NextDouble(), 6)).ToList();
            double mean = acc.Average();
            ScoresCsv.Append(Path.Combine(dir, task + "-scores.csv"), model, acc, mean,
                Math.Sqrt(acc.Sum(a => (a - mean) * (a - mean)) / acc.Count));
            if (!runs.TryGetValue((model, task), out var list)) runs[(model, task)] = list = [];
            list.AddRange(acc);
        }
        Evaluate("a", "us8k", 5);
        Evaluate("b", "spcv2", 3);
        Evaluate("a", "spcv2", 5);
        Evaluate("b", "us8k", 2);
        Evaluate("b", "spcv2", 4);
        Evaluate("c", "spcv2", 1);
        return runs;
    }

    static string Pct(double fraction) => (100 * fraction).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>Table rows as cell lists (header and separator skipped), keyed by the model cell.</summary>
    static Dictionary<string, string[]> Rows(string table) =>
        table.TrimEnd().Split('\n').Skip(2)
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray())
            .ToDictionary(r => r[0]);

    [Fact]
    public void The_table_holds_mean_and_std_of_every_run_per_model_and_task_and_the_average_of_complete_rows()
    {
        using var dir = new TempDir();
        var runs = WriteResults(dir.Path);
        var result = ResultsReport.Run(new ReportOptions { ResultsDir = dir.Path });

        var lines = result.Table.TrimEnd().Split('\n');
        Assert.Equal(["model", "spcv2", "us8k", "average"], lines[0].Trim('|', ' ').Split('|').Select(c => c.Trim()));
        var rows = Rows(result.Table);
        Assert.Equal(["a", "b", "c"], rows.Keys.Order());
        foreach (var ((model, task), values) in runs)
        {
            double mean = values.Sum() / values.Count;
            double std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Sum() / values.Count);
            Assert.Equal($"{Pct(mean)} ± {Pct(std)}", rows[model][task == "spcv2" ? 1 : 2]);
        }
        // One evaluation only: the cell is the row evaluate wrote.
        var written = ScoresCsv.Read(dir.File("us8k-scores.csv")).Single(r => r["model"] == "a");
        Assert.Equal($"{Pct(double.Parse(written["mean"], CultureInfo.InvariantCulture))} ± {Pct(double.Parse(written["std"], CultureInfo.InvariantCulture))}",
            rows["a"][2]);
        Assert.Equal(Pct((runs[("a", "spcv2")].Average() + runs[("a", "us8k")].Average()) / 2), rows["a"][3]);
        Assert.Equal("–", rows["c"][2]);
        Assert.Equal("–", rows["c"][3]);

        Assert.Contains(result.Table, File.ReadAllText(dir.File(ResultsReport.MarkdownFileName)));
        var (w, h, inked) = Png.Read(dir.File(ResultsReport.PictureFileName));
        Assert.Equal(SummaryPlot.Size(result.Summary), (w, h));
        Assert.InRange(inked, 0.03, 0.6);
        Assert.Equal(["spcv2", "us8k", "average"], SummaryPlot.Groups(result.Summary));
    }

    [Fact]
    public void Cli_report_prints_the_table_and_both_paths()
    {
        using var dir = new TempDir();
        WriteResults(dir.Path);
        var (code, output, error) = CliRunner.Run("report", dir.Path);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("", error);
        Assert.StartsWith("| model ", output);
        Assert.Contains(dir.File(ResultsReport.MarkdownFileName), output);
        Assert.Contains(dir.File(ResultsReport.PictureFileName), output);
        Assert.True(File.Exists(dir.File(ResultsReport.PictureFileName)));
    }

    [Fact]
    public void By_default_the_report_reads_the_folder_evaluate_writes_to() =>
        Assert.Equal(new EvaluateOptions { Weights = "w.pth" }.ResultsDir, new ReportOptions().ResultsDir);

    [Fact]
    public void A_missing_or_empty_folder_is_one_line_and_exit_code_1()
    {
        using var dir = new TempDir();
        var missing = dir.File("nowhere");
        var (code, output, error) = CliRunner.Run("report", missing);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Equal("", output);
        Assert.Equal($"error: {missing}: results folder not found; run 'byola evaluate' first, or give the folder it wrote TASK-scores.csv files to",
            error.TrimEnd());

        File.WriteAllText(dir.File("notes.csv"), "x\n");
        File.WriteAllText(dir.File("empty-scores.csv"), "");   // no rows: not an evaluation
        (code, output, error) = CliRunner.Run("report", dir.Path);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(dir.Path, error);
        Assert.Contains("byola evaluate", error);
        Assert.False(File.Exists(dir.File(ResultsReport.MarkdownFileName)));
        Assert.False(File.Exists(dir.File(ResultsReport.PictureFileName)));
    }

    [Fact]
    public void An_empty_folder_name_is_a_usage_error_under_the_argument_name()
    {
        var (code, _, error) = CliRunner.Run("report", "");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: RESULTS_DIR must name a folder", error);
    }

    [Theory]
    [InlineData("run0,run1,model,mean,std\n0.5,0.6,a,0.55,0.05\n0.5,oops,b,0.5,0\n", "line 3: run1 'oops' is not a number")]
    [InlineData("run0,run1,model,mean,std\n0.5,0.6,a,0.55,0.05\n0.5,0.6,b,0.55\n", "line 3 has 4 fields")]
    [InlineData("run0,model,mean,std\n0.5,a,0.5,0\n\n85.5,b,85.5,0\n", "line 4: run0 85.5 is outside [0, 1]")]
    [InlineData("run0,model,mean,std\n,a,0.5,0\n", "line 2: no run0")]
    [InlineData("task,accuracy\nspcv2,0.9\n", "not a scores CSV")]
    public void A_malformed_scores_file_is_named_with_its_line(string content, string reason)
    {
        using var dir = new TempDir();
        WriteResults(dir.Path);
        var bad = dir.File("zz-scores.csv");
        File.WriteAllText(bad, content);
        var (code, _, error) = CliRunner.Run("report", dir.Path);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith($"error: {bad}: ", error);
        Assert.Contains(reason, error);
        Assert.False(File.Exists(dir.File(ResultsReport.MarkdownFileName)));
    }

    [Fact]
    public void Ten_thousand_models_give_the_whole_table_and_a_picture_of_the_best_twenty()
    {
        using var dir = new TempDir();
        var lines = new List<string> { "run0,run1,model,mean,std" };
        for (int m = 0; m < 10_000; m++)
        {
            double acc = (m % 997) / 1000.0;   // model 996 (and 1993, …) is the best
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{acc},{acc},model{m},{acc},0"));
        }
        File.WriteAllLines(dir.File("big-scores.csv"), lines);
        File.WriteAllLines(dir.File("small-scores.csv"), ["run0,model,mean,std", "0.5,model3,0.5,0", "0.9,model996,0.9,0"]);
        var result = ResultsReport.Run(new ReportOptions { ResultsDir = dir.Path });
        Assert.Equal(10_000, result.Summary.Models.Count);
        Assert.Equal(10_000 + 2, result.Table.TrimEnd().Split('\n').Length);
        Assert.Contains("| model9999 ", File.ReadAllText(result.MarkdownPath));
        var drawn = SummaryPlot.DrawnModels(result.Summary);
        Assert.Equal(SummaryPlot.MaxModels, drawn.Count);
        // The two with an average, then the best by their one task (the nine others at 99.6 %, the first nine at 99.5 %), in table order.
        Assert.Contains("model3", drawn);
        Assert.Contains("model996", drawn);
        var others = drawn.Where(m => m is not ("model3" or "model996")).Select(m => result.Summary.Cell(m, "big")!.Mean).ToList();
        Assert.Equal(9, others.Count(v => Math.Abs(v - 0.996) < 1e-9));
        Assert.Equal(9, others.Count(v => Math.Abs(v - 0.995) < 1e-9));
        var order = result.Summary.Models.ToList();
        Assert.Equal(drawn.OrderBy(order.IndexOf), drawn);
        Assert.Contains("best 20 of 10000 models by average", SummaryPlot.Title(result.Summary));
        var (w, h, _) = Png.Read(result.PicturePath);
        Assert.True(w <= SummaryPlot.MaxWidth && h <= 140 + 24 * SummaryPlot.MaxModels, $"{w} × {h}");
    }

    [Fact]
    public void Names_reach_summary_md_as_text_never_as_table_syntax_links_or_html()
    {
        using var dir = new TempDir();
        string[] models = ["a|b", "two\nlines", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))", "`code`", "my_model"];
        foreach (var task in new[] { "plain", "ta|sk" })
            foreach (var model in models)
                ScoresCsv.Append(Path.Combine(dir.Path, task + "-scores.csv"), model, [0.5], 0.5, 0);
        var result = ResultsReport.Run(new ReportOptions { ResultsDir = dir.Path });
        var md = File.ReadAllText(result.MarkdownPath);
        var tableLines = md.Split('\n').Where(l => l.StartsWith('|')).ToList();
        Assert.Equal(2 + models.Length, tableLines.Count);                    // no row broken by a newline
        static int Cells(string line) => System.Text.RegularExpressions.Regex.Matches(line, @"(?<!\\)\|").Count;
        Assert.All(tableLines, l => Assert.Equal(Cells(tableLines[0]), Cells(l)));   // no cell added by a '|'
        Assert.DoesNotContain("<", md.Replace("<br>", ""));
        Assert.DoesNotContain("](", md.Replace("![tasks × models](summary.png)", ""));
        Assert.Contains("&lt;script&gt;alert\\(1\\)&lt;/script&gt;", md);
        Assert.Contains("| my_model ", md);                                    // an underscore inside a word stays
    }

    [Fact]
    public void Accuracy_and_map_columns_name_their_metric_and_are_averaged_apart_and_heads_are_rows_of_their_own()
    {
        using var dir = new TempDir();
        Dictionary<string, string> Extra(string head, string metric) => new() { [ScoresCsv.HeadColumn] = head, [ScoresCsv.MetricColumn] = metric };
        // Accuracy on two single-label tasks, mAP on one multi-label task, for a linear and an MLP head of model "a".
        ScoresCsv.Append(dir.File("us8k-scores.csv"), "a", [0.8], 0.8, 0);                       // written before the head/metric columns
        ScoresCsv.Append(dir.File("spcv2-scores.csv"), "a", [0.6], 0.6, 0, Extra("linear", "accuracy"));
        ScoresCsv.Append(dir.File("fsd50k-scores.csv"), "a", [0.3], 0.3, 0, Extra("linear", "mAP"));
        ScoresCsv.Append(dir.File("us8k-scores.csv"), "a", [0.9], 0.9, 0, Extra("mlp512", "accuracy"));
        ScoresCsv.Append(dir.File("spcv2-scores.csv"), "a", [0.7], 0.7, 0, Extra("mlp512", "accuracy"));
        ScoresCsv.Append(dir.File("fsd50k-scores.csv"), "a", [0.4], 0.4, 0, Extra("mlp512", "mAP"));
        var result = ResultsReport.Run(new ReportOptions { ResultsDir = dir.Path });

        var header = result.Table.Split('\n')[0].Trim('|', ' ').Split('|').Select(c => c.Trim()).ToArray();
        Assert.Equal(["model", "fsd50k mAP %", "spcv2 acc %", "us8k acc %", "average acc %", "average mAP %"], header);
        var rows = Rows(result.Table);
        // The head in brackets, escaped for Markdown (it renders as "a [mlp512]").
        Assert.Equal(["a", MarkdownText.Escape("a [mlp512]")], rows.Keys.Order(StringComparer.Ordinal));
        // Accuracy averages accuracy only ((80 + 60) / 2); the mAP average is the one mAP task.
        Assert.Equal([Pct(0.3) + " ± 0.00", Pct(0.6) + " ± 0.00", Pct(0.8) + " ± 0.00", Pct(0.7), Pct(0.3)], rows["a"][1..]);
        Assert.Equal([Pct(0.4) + " ± 0.00", Pct(0.7) + " ± 0.00", Pct(0.9) + " ± 0.00", Pct(0.8), Pct(0.4)], rows[MarkdownText.Escape("a [mlp512]")][1..]);
        Assert.Null(result.Summary.Average("a"));
        Assert.Contains("accuracy and mAP are never averaged together", File.ReadAllText(dir.File(ResultsReport.MarkdownFileName)));
        // The plot's groups: the three tasks and the accuracy average (the mAP "average" would be one task).
        Assert.Equal(["fsd50k mAP %", "spcv2 acc %", "us8k acc %", "average acc %"], SummaryPlot.Groups(result.Summary));
    }

    [Fact]
    public void An_unknown_metric_is_one_line_naming_the_file_and_line()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("t-scores.csv"), "run0,model,mean,std,head,metric\n0.5,a,0.5,0,linear,f1\n");
        var e = Assert.Throws<ByolAException>(() => ResultsReport.Run(new ReportOptions { ResultsDir = dir.Path }));
        Assert.Equal($"{dir.File("t-scores.csv")}: line 2: metric 'f1' is neither accuracy nor mAP", e.Message);
    }
}
