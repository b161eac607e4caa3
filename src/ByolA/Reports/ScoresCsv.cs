using ByolA.Data;
using System.Globalization;
using CsvHelper;

namespace ByolA.Reports;

/// <summary>
/// results/TASK-scores.csv in the original's column layout: one row per evaluation with <c>run0 … runN-1</c>
/// (test score of each run, a fraction), <c>model</c>, <c>mean</c>, <c>std</c>, then what <c>evaluate</c> adds:
/// <see cref="HeadColumn"/> (<c>linear</c>, <c>mlp512</c>, …), <see cref="MetricColumn"/> (<c>accuracy</c> or
/// <c>mAP</c>) and, for multi-label tasks, <see cref="AucColumn"/> (mean macro ROC AUC). Rows with a different number
/// of runs or columns share the file: the header becomes the union and missing cells stay empty (an empty head is
/// <c>linear</c>, an empty metric <c>accuracy</c>: rows written before those columns existed).
/// </summary>
public static class ScoresCsv
{
    /// <summary>
    /// Appends one row to <paramref name="path"/> (created with its folder when absent), atomically, holding an exclusive
    /// lock on <see cref="LockPath"/> from the read to the rename, so concurrent evaluations (other processes included)
    /// each add their row instead of replacing each other's. An existing file that is not a scores CSV is left untouched.
    /// </summary>
    public static void Append(string path, string model, IReadOnlyList<double> runs, double mean, double std,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        // Through a symbolic link: the row goes to the file it points to (replacing the link by a regular file would
        // leave the real scores file without the row the message says was appended), under that file's lock.
        var full = new FileInfo(path).LinkTarget != null ? FilePaths.Real(path) : Path.GetFullPath(path);
        IoErrors.Guard(Path.GetDirectoryName(full)!, "create the results folder", () => Directory.CreateDirectory(Path.GetDirectoryName(full)!));
        using var held = FileLock.Acquire(LockPath(full), TimeSpan.FromMinutes(2), "the scores file");
        var rows = Check(full);
        var row = new Dictionary<string, string>();
        for (int i = 0; i < runs.Count; i++) row[$"run{i}"] = Format(runs[i]);
        row["model"] = CsvCells.Text(model);
        row["mean"] = Format(mean);
        row["std"] = Format(std);
        foreach (var (column, value) in extra ?? new Dictionary<string, string>()) row[column] = value;
        rows.Add(row);

        int maxRuns = rows.Max(r => r.Keys.Count(k => k.StartsWith("run", StringComparison.Ordinal)));
        var columns = Enumerable.Range(0, maxRuns).Select(i => $"run{i}").Concat(["model", "mean", "std"]).ToList();
        columns.AddRange(rows.SelectMany(r => r.Keys).Distinct().Where(k => !columns.Contains(k)));

        AtomicFile.Write(full, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
            foreach (var c in columns) csv.WriteField(c);
            csv.NextRecord();
            foreach (var r in rows)
            {
                foreach (var c in columns) csv.WriteField(r.GetValueOrDefault(c, ""));
                csv.NextRecord();
            }
        });
    }

    /// <summary>
    /// The rows of <paramref name="path"/> when it is a scores CSV, none when it does not exist; otherwise (a folder, a
    /// file of another kind) a <see cref="ByolAException"/>. Lets an evaluation refuse before its long work.
    /// </summary>
    public static List<Dictionary<string, string>> Check(string path)
    {
        if (Directory.Exists(path)) throw new ByolAException($"{path}: is a folder, not a scores CSV; move it away or choose another results folder");
        return File.Exists(path) ? Read(path) : [];
    }

    /// <summary>Column naming the probe head: <c>linear</c> (also when empty), <c>mlp512</c>, ….</summary>
    public const string HeadColumn = "head";

    /// <summary>Column naming what the runs measure: <see cref="Accuracy"/> (also when empty) or <see cref="MeanAveragePrecision"/>.</summary>
    public const string MetricColumn = "metric";

    /// <summary>Column of a multi-label row's mean macro ROC AUC over its runs.</summary>
    public const string AucColumn = "auc";

    public const string Accuracy = "accuracy";
    public const string MeanAveragePrecision = "mAP";
    public const string LinearHead = "linear";

    /// <summary>Formats a score as the file holds it (round-trip precision, invariant culture).</summary>
    public static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The lock file guarding <paramref name="scoresPath"/>: a hidden file next to it (kept; see <see cref="FileLock"/>).</summary>
    public static string LockPath(string scoresPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(scoresPath))!, "." + Path.GetFileName(scoresPath) + ".lock");

    /// <summary>
    /// The rows of an existing scores file as column → cell maps. A file that is not a scores CSV (no model, mean and
    /// std columns, other columns than runN, binary or malformed) is a <see cref="ByolAException"/> naming it.
    /// </summary>
    public static List<Dictionary<string, string>> Read(string path) => ReadNumbered(path).Select(r => r.Cells).ToList();

    /// <summary>
    /// As <see cref="Read"/>, each row with the 1-based line of the file it starts on, so that a reader that finds a bad
    /// cell (the report) can name the line.
    /// </summary>
    public static List<(int Line, Dictionary<string, string> Cells)> ReadNumbered(string path)
    {
        var rows = new List<(int Line, Dictionary<string, string> Cells)>();
        string NotScores(string why) =>
            $"{path}: exists but is not a scores CSV ({why}); it was left untouched — move it away or choose another results folder";
        try
        {
            using var reader = InputFile.OpenText(path, InputFile.MaxCsvBytes, "a scores CSV");
            using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
            if (!csv.Read() || !csv.ReadHeader()) return rows;
            var header = csv.HeaderRecord!;
            if (!header.Contains("model") || !header.Contains("mean") || !header.Contains("std"))
                throw new ByolAException(NotScores($"header {Shorten(string.Join(",", header))}, expected run0,…,model,mean,std"));
            int previousEnd = csv.Parser.RawRow;
            while (csv.Read())
            {
                var (line, multiline) = CsvErrors.Lines(csv.Parser, previousEnd);
                previousEnd = csv.Parser.RawRow;
                if (csv.Parser.Count != header.Length)
                    throw new ByolAException(NotScores(multiline
                        ? $"CSV syntax error on line {line}: a quote that is not closed"
                        : $"line {line} has {csv.Parser.Count} fields, the header {header.Length}"));
                var row = new Dictionary<string, string>();
                for (int i = 0; i < header.Length; i++)
                    if (csv.TryGetField<string>(i, out var v) && v is { Length: > 0 }) row[header[i]] = v;
                rows.Add((line, row));
            }
        }
        catch (CsvHelperException e)
        {
            throw new ByolAException(NotScores($"CSV syntax error on line {e.Context?.Parser?.RawRow}: {CsvErrors.Describe(e)}"), e);
        }
        catch (Exception e) when (IoErrors.IsIo(e))
        {
            throw IoErrors.Failure(path, "read the scores file", e);
        }
        return rows;
    }

    static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
