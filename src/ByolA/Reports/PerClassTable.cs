using System.Globalization;
using ByolA.Data;
using CsvHelper;

namespace ByolA.Reports;

/// <summary>
/// What the per-class files of single-label (<see cref="PerClassScores"/>) and multi-label (<see cref="PerClassRankingScores"/>)
/// tasks share: the worst classes by their mean over runs, and the CSV itself — a header, one row per class whose name is
/// written as text (never a spreadsheet formula), fractions at round-trip precision, empty where undefined, written atomically.
/// </summary>
internal static class PerClassTable
{
    /// <summary>The <paramref name="n"/> classes with the lowest mean (ties by name), among those <paramref name="scored"/>.</summary>
    public static IReadOnlyList<(string Class, double Mean)> Worst(IReadOnlyList<string> classes, Func<int, double> mean, Func<int, bool> scored, int n) =>
        Enumerable.Range(0, classes.Count).Where(scored)
            .Select(c => (Class: classes[c], Mean: mean(c)))
            .OrderBy(p => p.Mean).ThenBy(p => p.Class, StringComparer.Ordinal).Take(n).ToList();

    /// <summary>Writes <paramref name="header"/> and, per class, its name followed by <paramref name="cells"/>(class).</summary>
    public static void WriteCsv(string path, IReadOnlyList<string> classes, IEnumerable<string> header, Func<int, IEnumerable<string>> cells) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
            foreach (var field in header) csv.WriteField(field);
            csv.NextRecord();
            for (int c = 0; c < classes.Count; c++)
            {
                csv.WriteField(CsvCells.Text(classes[c]));
                foreach (var field in cells(c)) csv.WriteField(field);
                csv.NextRecord();
            }
        });

    /// <summary>A fraction at round-trip precision; empty when undefined (NaN).</summary>
    public static string Format(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A count.</summary>
    public static string Format(int v) => v.ToString(CultureInfo.InvariantCulture);
}
