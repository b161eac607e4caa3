namespace ByolA.Data;

/// <summary>
/// Text cells of the CSVs we write (file, model and class names) made safe to open in a spreadsheet: a cell that
/// starts with <c>= + - @</c>, a tab or a carriage return is a formula there (<c>=cmd|' /C calc'!A0</c>), so it gets a
/// leading apostrophe, the prefix spreadsheets themselves use for "this is text" (OWASP's CSV-injection advice).
/// Numbers are never passed through it.
/// </summary>
internal static class CsvCells
{
    /// <summary>The characters that start a formula in a spreadsheet cell.</summary>
    public const string FormulaStarts = "=+-@\t\r";

    /// <summary><paramref name="text"/>, with a leading <c>'</c> when it starts with one of <see cref="FormulaStarts"/>.</summary>
    public static string Text(string text) =>
        text.Length > 0 && FormulaStarts.Contains(text[0]) ? "'" + text : text;
}
