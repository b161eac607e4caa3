using System.Text;

namespace ByolA.Reports;

/// <summary>
/// Names (models, tasks, files) written into Markdown as plain text: nothing in a name can end a table cell or row,
/// start a link, an image, emphasis or code, or reach a Markdown viewer as HTML (<c>&lt;script&gt;</c>,
/// <c>&lt;img onerror&gt;</c>, <c>[x](javascript:…)</c>). Scores files are written by anyone who can write to the
/// results folder, and <c>summary.md</c> is opened in viewers that render HTML.
/// </summary>
internal static class MarkdownText
{
    /// <summary>
    /// <paramref name="name"/> with Markdown's punctuation backslash-escaped, <c>&lt; &gt; &amp; "</c> as HTML entities and
    /// line breaks and other control characters as spaces. An underscore inside a word stays as it is (it cannot
    /// start emphasis there), so names such as <c>my_model</c> read unchanged.
    /// </summary>
    public static string Escape(string name)
    {
        var s = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            switch (c)
            {
                case '<': s.Append("&lt;"); break;
                case '>': s.Append("&gt;"); break;
                case '&': s.Append("&amp;"); break;
                case '"': s.Append("&quot;"); break;
                case '_' when i > 0 && i < name.Length - 1 && char.IsLetterOrDigit(name[i - 1]) && char.IsLetterOrDigit(name[i + 1]):
                    s.Append(c);
                    break;
                case '\\' or '`' or '*' or '_' or '[' or ']' or '(' or ')' or '|' or '~':
                    s.Append('\\').Append(c);
                    break;
                default:
                    s.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? ' ' : c);
                    break;
            }
        }
        return s.ToString();
    }
}
