using System.Globalization;
using System.Text;

namespace ByolA.Reports;

/// <summary>
/// The tasks × models table of a results folder, read from its <c>TASK-scores.csv</c> files: one column per task
/// (the file name without <c>-scores.csv</c>, in ordinal order), one row per model (the CSVs' <c>model</c> column, in
/// order of first appearance), and in each cell the mean and std of every run of every evaluation of that model on
/// that task — the accuracies themselves, not the rows' rounded means, so repeated evaluations pool their runs.
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

    ResultsSummary(List<string> tasks, List<string> models, List<string> files, Dictionary<(string, string), ScoreCell> cells)
    {
        Tasks = tasks;
        Models = models;
        Files = files;
        this.cells = cells;
    }

    /// <summary>The model's score on the task, or null when it was not evaluated on it.</summary>
    public ScoreCell? Cell(string model, string task) => cells.GetValueOrDefault((model, task));

    /// <summary>Mean of the model's task means when it has a score on every task, else null (an average over fewer
    /// tasks would not compare with the other rows').</summary>
    public double? Average(string model) =>
        Tasks.All(t => cells.ContainsKey((model, t))) ? Tasks.Average(t => cells[(model, t)].Mean) : null;

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
        foreach (var (path, task) in paths)
        {
            var rows = ScoresCsv.ReadNumbered(path);
            if (rows.Count == 0) continue;
            tasks.Add(task);
            files.Add(path);
            foreach (var (line, cells) in rows)
            {
                var model = cells.GetValueOrDefault("model");
                if (string.IsNullOrWhiteSpace(model)) throw new ByolAException($"{path}: line {line}: the model cell is empty");
                var values = RunValues(path, line, cells);
                if (known.Add(model)) models.Add(model);
                if (!runs.TryGetValue((model, task), out var list)) runs[(model, task)] = list = [];
                list.AddRange(values);
            }
        }
        if (tasks.Count == 0)
            throw new ByolAException($"{resultsDir}: the {paths.Count} {ScoresSuffix} file(s) hold no evaluations yet; run 'byola evaluate WEIGHTS TASK' first");
        return new ResultsSummary(tasks, models, files, runs.ToDictionary(p => p.Key, p => ScoreCell.Of(p.Value)));
    }

    /// <summary>The row's <c>run0 … runN-1</c> accuracies: fractions in [0, 1], at least one.</summary>
    static List<double> RunValues(string path, int line, Dictionary<string, string> cells)
    {
        var values = new List<double>();
        foreach (var (column, text) in cells.Where(c => IsRunColumn(c.Key)).OrderBy(c => int.Parse(c.Key[3..], CultureInfo.InvariantCulture)))
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                throw new ByolAException($"{path}: line {line}: {column} '{Shorten(text)}' is not a number");
            if (v is < 0 or > 1)
                throw new ByolAException($"{path}: line {line}: {column} {text} is outside [0, 1] (scores files hold accuracies as fractions)");
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
    /// <c>mean ± std</c> in percent with two decimals, <c>–</c> where a model lacks a task (and then its average).
    /// </summary>
    public string ToMarkdown()
    {
        var header = new List<string> { "model" };
        header.AddRange(Tasks.Select(MarkdownText.Escape));
        header.Add("average");
        var rows = Models.Select(m =>
        {
            var row = new List<string> { MarkdownText.Escape(m) };
            row.AddRange(Tasks.Select(t => Cell(m, t) is { } c ? Percent(c.Mean) + " ± " + Percent(c.Std) : "–"));
            row.Add(Average(m) is { } a ? Percent(a) : "–");
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

    /// <summary>Accuracy fraction as a percentage with two decimals.</summary>
    public static string Percent(double fraction) => (100 * fraction).ToString("0.00", CultureInfo.InvariantCulture);
}
