using ByolA.Data;
using System.Globalization;
using ByolA.Audio;
using CsvHelper;

namespace ByolA.Evaluation;

/// <summary>
/// results/TASK-scores.csv in the original's column layout: one row per evaluation with <c>run0 … runN-1</c>
/// (test accuracy of each run, a fraction), <c>model</c>, <c>mean</c>, <c>std</c>. Rows with a different number of
/// runs share the file: the header becomes the union and missing cells stay empty.
/// </summary>
public static class ScoresCsv
{
    /// <summary>Appends one row to <paramref name="path"/> (created with its folder when absent), atomically.</summary>
    public static void Append(string path, string model, IReadOnlyList<double> runs, double mean, double std)
    {
        var rows = File.Exists(path) ? Read(path) : [];
        var row = new Dictionary<string, string>();
        for (int i = 0; i < runs.Count; i++) row[$"run{i}"] = Format(runs[i]);
        row["model"] = model;
        row["mean"] = Format(mean);
        row["std"] = Format(std);
        rows.Add(row);

        int maxRuns = rows.Max(r => r.Keys.Count(k => k.StartsWith("run", StringComparison.Ordinal)));
        var columns = Enumerable.Range(0, maxRuns).Select(i => $"run{i}").Concat(["model", "mean", "std"]).ToList();
        columns.AddRange(rows.SelectMany(r => r.Keys).Distinct().Where(k => !columns.Contains(k)));

        AtomicFile.Write(path, stream =>
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

    /// <summary>The rows of an existing scores file as column → cell maps.</summary>
    public static List<Dictionary<string, string>> Read(string path)
    {
        var rows = new List<Dictionary<string, string>>();
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        if (!csv.Read() || !csv.ReadHeader()) return rows;
        var header = csv.HeaderRecord!;
        while (csv.Read())
        {
            var row = new Dictionary<string, string>();
            for (int i = 0; i < header.Length; i++)
                if (csv.TryGetField<string>(i, out var v) && v is { Length: > 0 }) row[header[i]] = v;
            rows.Add(row);
        }
        return rows;
    }

    static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
