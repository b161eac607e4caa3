using CsvHelper;
using CsvHelper.Configuration;

namespace ByolA.Data;

/// <summary>
/// CSV syntax errors as one line naming the file and line. CsvHelper's own messages carry its whole parser state
/// (hundreds of lines for an unterminated quote).
/// </summary>
internal static class CsvErrors
{
    /// <summary><paramref name="config"/> made to fail on a stray or unclosed quote with a one-line error naming <paramref name="path"/> and the line.</summary>
    public static CsvConfiguration Strict(CsvConfiguration config, string path) => config with
    {
        BadDataFound = args => throw new ByolAException(
            $"{path}:{args.Context.Parser?.RawRow}: not valid CSV (a quote that is not closed, or a quote inside an unquoted field: {Shorten(args.RawRecord)})"),
    };

    /// <summary>"PATH:LINE: not valid CSV (what)" for a CsvHelper failure while reading <paramref name="path"/>.</summary>
    public static ByolAException Failure(string path, CsvHelperException e) =>
        new($"{path}:{e.Context?.Parser?.RawRow}: not valid CSV ({Describe(e)})", e);

    /// <summary>Runs <paramref name="read"/> over the CSV at <paramref name="path"/>: syntax errors become <see cref="Failure"/>, I/O errors one line with the OS reason.</summary>
    public static T Read<T>(string path, string doing, Func<T> read)
    {
        try { return read(); }
        catch (CsvHelperException e) { throw Failure(path, e); }
        catch (Exception e) when (IoErrors.IsIo(e)) { throw IoErrors.Failure(path, doing, e); }
    }

    /// <summary>
    /// The line the current record of <paramref name="parser"/> starts on, and whether it runs over several lines (a
    /// quoted field holding a line break, or a quote that is never closed and swallows the lines after it).
    /// <paramref name="previousEnd"/> is the parser's <c>RawRow</c> after the previous record: a record over several
    /// lines starts on the next line (CsvHelper's <c>RawRow</c> is the end, one further still when it hit the end of the file).
    /// </summary>
    public static (int Start, bool Multiline) Lines(IParser parser, int previousEnd)
    {
        bool multiline = parser.RawRecord.TrimEnd('\r', '\n').Contains('\n');
        return (multiline ? previousEnd + 1 : parser.RawRow, multiline);
    }

    /// <summary>
    /// A field value as one short line for a message, control characters shown as <c>\xNN</c>: a NUL, an ANSI escape
    /// or binary bytes echoed raw would garble (or recolour) the terminal the message is read on.
    /// </summary>
    public static string Shorten(string? text)
    {
        var oneLine = Visible((text ?? "").ReplaceLineEndings("⏎").Trim());
        return oneLine.Length <= 60 ? oneLine : oneLine[..57] + "...";
    }

    /// <summary><paramref name="text"/> with every control character written as <c>\xNN</c> (<c>\uNNNN</c> above 0xFF).</summary>
    public static string Visible(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var s = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
            s.Append(!char.IsControl(c) ? c.ToString() : c <= 0xFF ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}");
        return s.ToString();
    }

    /// <summary>What went wrong, in a few words, without CsvHelper's parser dump.</summary>
    public static string Describe(CsvHelperException e) => e switch
    {
        BadDataException => "a quote that is not closed, or a quote inside an unquoted field",
        CsvHelper.MissingFieldException => "a line with too few fields",
        _ => e.Message.Split('\n')[0].Trim(),
    };
}
