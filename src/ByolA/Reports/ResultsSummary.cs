using System.Globalization;
using System.Text;

namespace ByolA.Reports;

/// <summary>
/// The tasks × models table of a results folder, read from its <c>TASK-scores.csv</c> files: one column per task
/// (the file name without <c>-scores.csv</c>, in ordinal order), one row per model and probe head (the CSVs'
/// <c>model</c> column, followed by <c>[mlp512]</c> for a head that is not linear, in order of first appearance), and
/// in each cell the mean and std of every run of every evaluation of that model on that task — the scores themselves,
/// not the rows' rounded means, so repeated evaluations pool their runs. A task's column holds one metric (accuracy,
/// or mAP for multi-label tasks); averages never mix the two.
/// </summary>
public sealed class ResultsSummary
{
    public const string ScoresSuffix = "-scores.csv";

    /// <summary>Task names, ordinal order.</summary>
    public IReadOnlyList<string> Tasks { get; }

    /// <summary>Model names in order of first appearance (tasks in order, rows in file order).</summary>
    public IReadOnlyList<string> Models { get; }

    /// <summary>The scores files read, in task order.</summary>
    public IReadOnlyList<string> Files { get; }

    readonly Dictionary<(string Model, string Task), ScoreCell> cells;
    readonly Dictionary<string, string> metrics;

    ResultsSummary(List<string> tasks, List<string> models, List<string> files, Dictionary<(string, string), ScoreCell> cells,
        Dictionary<string, string> metrics)
    {
        Tasks = tasks;
        Models = models;
        Files = files;
        this.cells = cells;
        this.metrics = metrics;
    }

    /// <summary>What the task's column measures: <see cref="ScoresCsv.Accuracy"/> or <see cref="ScoresCsv.MeanAveragePrecision"/>.</summary>
    public string Metric(string task) => metrics[task];

    /// <summary>The metrics of the columns, accuracy first.</summary>
    public IReadOnlyList<string> Metrics => metrics.Values.Distinct().OrderBy(m => m == ScoresCsv.Accuracy ? 0 : 1).ToList();

    /// <summary>True when some columns hold accuracy and others mAP: every header then names its metric.</summary>
    public bool MixedMetrics => Metrics.Count > 1;

    /// <summary>The average columns: one named <c>average</c> when every task has the same metric, else one per metric.</summary>
    public IReadOnlyList<(string Name, string Metric)> AverageColumns =>
        MixedMetrics ? Metrics.Select(m => ($"average {MetricLabel(m)}", m)).ToList() : [("average", Metrics[0])];

    /// <summary>How a header names a metric: <c>acc %</c> or <c>mAP %</c>.</summary>
    public static string MetricLabel(string metric) => metric == ScoresCsv.Accuracy ? "acc %" : "mAP %";

    /// <summary>A task's column header: the task, and its metric when the table holds both or only mAP.</summary>
    public string Header(string task) => MixedMetrics || Metric(task) != ScoresCsv.Accuracy ? $"{task} {MetricLabel(Metric(task))}" : task;

    /// <summary>The model's score on the task, or null when it was not evaluated on it.</summary>
    public ScoreCell? Cell(string model, string task) => cells.GetValueOrDefault((model, task));

    /// <summary>Mean of the model's task means when it has a score on every task, else null (an average over fewer
    /// tasks would not compare with the other rows'). With <paramref name="metric"/>, over that metric's tasks only;
    /// without it, the table must hold one metric (accuracy and mAP are never averaged together).</summary>
    public double? Average(string model, string? metric = null)
    {
        if (metric == null && MixedMetrics) return null;
        var tasks = Tasks.Where(t => metric == null || Metric(t) == metric).ToList();
        return tasks.Count > 0 && tasks.All(t => cells.ContainsKey((model, t))) ? tasks.Average(t => cells[(model, t)].Mean) : null;
    }

    /// <summary>Smallest and largest number of runs behind a cell.</summary>
    public (int Min, int Max) RunsPerCell => (cells.Values.Min(c => c.Runs), cells.Values.Max(c => c.Runs));

    /// <summary>
    /// Reads every <c>*-scores.csv</c> directly in <paramref name="resultsDir"/> (hidden files skipped). No such file,
    /// or only files without rows, is a <see cref="ByolAException"/>; so is a malformed file, named with its line.
    /// </summary>
    public static ResultsSummary Read(string resultsDir)
    {
        var paths = Directory.GetFiles(resultsDir, "*" + ScoresSuffix)
            .Where(p => Path.GetFileName(p).EndsWith(ScoresSuffix, StringComparison.Ordinal) && !Path.GetFileName(p).StartsWith('.'))
            .Select(p => (Path: p, Task: Path.GetFileName(p)[..^ScoresSuffix.Length]))
            .Where(p => p.Task.Length > 0)
            .OrderBy(p => p.Task, StringComparer.Ordinal).ToList();
        if (paths.Count == 0)
            throw new ByolAException($"{resultsDir}: no TASK{ScoresSuffix} files; run 'byola evaluate WEIGHTS TASK' first, or give the folder it wrote them to");

        var tasks = new List<string>();
        var models = new List<string>();
        var known = new HashSet<string>(StringComparer.Ordinal);   // thousands of models: no linear search per row
        var files = new List<string>();
        var runs = new Dictionary<(string, string), List<double>>();
        var metrics = new Dictionary<string, string>();
        foreach (var (path, fileTask) in paths)
        {
            var rows = ScoresCsv.ReadNumbered(path);
            if (rows.Count == 0) continue;
            files.Add(path);
            foreach (var (line, cells) in rows)
            {
                var model = cells.GetValueOrDefault("model");
                if (string.IsNullOrWhiteSpace(model)) throw new ByolAException($"{path}: line {line}: the model cell is empty");
                var head = cells.GetValueOrDefault(ScoresCsv.HeadColumn, ScoresCsv.LinearHead);
                if (head != ScoresCsv.LinearHead) model += $" [{head}]";
                var metric = cells.GetValueOrDefault(ScoresCsv.MetricColumn, ScoresCsv.Accuracy);
                if (metric is not (ScoresCsv.Accuracy or ScoresCsv.MeanAveragePrecision))
                    throw new ByolAException($"{path}: line {line}: metric '{Shorten(metric)}' is neither {ScoresCsv.Accuracy} nor {ScoresCsv.MeanAveragePrecision}");
                // A file holding both metrics (the task's metadata changed kind) gets one column per metric.
                var task = metrics.GetValueOrDefault(fileTask, metric) == metric ? fileTask : $"{fileTask} ({metric})";
                metrics[task] = metric;
                if (!tasks.Contains(task)) tasks.Add(task);
                var values = RunValues(path, line, cells);
                if (known.Add(model)) models.Add(model);
                if (!runs.TryGetValue((model, task), out var list)) runs[(model, task)] = list = [];
                list.AddRange(values);
            }
        }
        if (tasks.Count == 0)
            throw new ByolAException($"{resultsDir}: the {paths.Count} {ScoresSuffix} file(s) hold no evaluations yet; run 'byola evaluate WEIGHTS TASK' first");
        return new ResultsSummary(tasks, models, files, runs.ToDictionary(p => p.Key, p => ScoreCell.Of(p.Value)), metrics);
    }

    /// <summary>The row's <c>run0 … runN-1</c> scores: fractions in [0, 1], at least one.</summary>
    static List<double> RunValues(string path, int line, Dictionary<string, string> cells)
    {
        var values = new List<double>();
        foreach (var (column, text) in cells.Where(c => IsRunColumn(c.Key)).OrderBy(c => int.Parse(c.Key[3..], CultureInfo.InvariantCulture)))
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                throw new ByolAException($"{path}: line {line}: {column} '{Shorten(text)}' is not a number");
            if (v is < 0 or > 1)
                throw new ByolAException($"{path}: line {line}: {column} {text} is outside [0, 1] (scores files hold accuracies and mAPs as fractions)");
            values.Add(v);
        }
        if (values.Count == 0) throw new ByolAException($"{path}: line {line}: no run0, run1, … accuracies");
        return values;
    }

    static bool IsRunColumn(string name) =>
        name.Length > 3 && name.StartsWith("run", StringComparison.Ordinal) && name[3..].All(char.IsAsciiDigit);

    static string Shorten(string s) => s.Length <= 30 ? s : s[..27] + "...";

    /// <summary>
    /// The table as Markdown, columns padded so it also reads as plain text: <c>| model | TASK … | average |</c>, cells
    /// <c>mean ± std</c> in percent with two decimals, <c>–</c> where a model lacks a task (and then its average). When
    /// a column holds mAP, headers name their metric (<c>fsd50k mAP %</c>), and with both metrics there is one average
    /// per metric.
    /// </summary>
    public string ToMarkdown()
    {
        var header = new List<string> { "model" };
        header.AddRange(Tasks.Select(t => MarkdownText.Escape(Header(t))));
        header.AddRange(AverageColumns.Select(a => a.Name));
        var rows = Models.Select(m =>
        {
            var row = new List<string> { MarkdownText.Escape(m) };
            row.AddRange(Tasks.Select(t => Cell(m, t) is { } c ? Percent(c.Mean) + " ± " + Percent(c.Std) : "–"));
            row.AddRange(AverageColumns.Select(a => Average(m, a.Metric) is { } v ? Percent(v) : "–"));
            return row;
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        void Line(IEnumerable<string> cells) => text.Append("| ").AppendJoin(" | ", cells).Append(" |\n");
        Line(header.Select((h, i) => h.PadRight(widths[i])));
        text.Append('|').AppendJoin("|", widths.Select((w, i) => new string('-', w + 1) + (i == 0 ? "-" : ":"))).Append("|\n");
        foreach (var r in rows) Line(r.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i])));
        return text.ToString();
    }

    /// <summary>A score fraction (accuracy or mAP) as a percentage with two decimals.</summary>
    public static string Percent(double fraction) => (100 * fraction).ToString("0.00", CultureInfo.InvariantCulture);
}
