using System.Globalization;
using ByolA.Data;
using CsvHelper;
using CsvHelper.Configuration;

namespace ByolA.Tasks;

/// <summary>Reads a dataset's own CSV list (with a header) into rows of named cells; syntax errors are one line naming the file.</summary>
internal static class DatasetCsv
{
    /// <summary>
    /// The rows of <paramref name="path"/> as column → cell maps (cells trimmed), after skipping
    /// <paramref name="skipLines"/> lines before the header. A missing column of <paramref name="required"/> is an error
    /// asking whether the file is <paramref name="what"/>.
    /// </summary>
    public static List<(int Line, Dictionary<string, string> Cells)> Read(string path, string[] required, string what, int skipLines = 0)
    {
        return CsvErrors.Read(path, "read " + what, () =>
        {
            var rows = new List<(int, Dictionary<string, string>)>();
            using var reader = InputFile.OpenText(path, InputFile.MaxCsvBytes, what);
            for (int i = 0; i < skipLines; i++) reader.ReadLine();
            using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim, BadDataFound = null });
            if (!csv.Read() || !csv.ReadHeader()) throw new ByolAException($"{path}: empty; expected {what}");
            var header = csv.HeaderRecord!.Select(h => h.Trim().TrimStart('#').Trim()).ToArray();
            foreach (var column in required)
                if (!header.Contains(column))
                    throw new ByolAException($"{path}: column '{column}' missing (header {string.Join(",", header)}); is this {what}?");
            while (csv.Read())
            {
                var cells = new Dictionary<string, string>(StringComparer.Ordinal);
                for (int i = 0; i < header.Length && i < csv.Parser.Count; i++) cells[header[i]] = (csv.GetField(i) ?? "").Trim();
                rows.Add((csv.Parser.RawRow + skipLines, cells));
            }
            return rows;
        });
    }
}
