using System.Text;
using System.Text.RegularExpressions;
using ByolA.Tests.Support;

namespace ByolA.Tests.Build;

/// <summary>
/// The library never names a CLI flag: it names its options' properties and config keys, and the CLI maps them to flags
/// (FlagNames). A "--something" in a string or comment of src/ByolA would be a flag that the CLI can rename or drop
/// without the library's message following.
/// </summary>
public class LibraryNamesNoFlagsTests
{
    static readonly Regex Flag = new(@"(?<![\w-])--[A-Za-z]");

    [Fact]
    public void No_string_or_comment_in_the_library_names_a_flag()
    {
        var library = LibrarySources.Root;
        var sources = LibrarySources.Files().ToList();
        Assert.True(sources.Count > 50, $"found only {sources.Count} sources below {library}");
        var found = (from file in sources
                     from text in TextOf(File.ReadAllText(file))
                     where Flag.IsMatch(text.Value)
                     select $"{Path.GetRelativePath(library, file)}:{text.Line}: {text.Value.Trim()}").ToList();
        Assert.True(found.Count == 0, "flags named in src/ByolA:\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_scan_finds_flags_in_strings_and_comments_but_not_in_code()
    {
        var hits = TextOf("int i = --count; // see --help\nvar s = \"use --lr\"; var t = @\"x\"\"--y\"\"\"; char q = '\"'; var u = $\"{a}\";")
            .Where(t => Flag.IsMatch(t.Value)).Select(t => t.Value).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([" see --help", "use --lr", "x\"\"--y\"\""], hits);
    }

    /// <summary>The contents of string literals and comments, with the line each starts on (a small C# scanner).</summary>
    static IEnumerable<(int Line, string Value)> TextOf(string source)
    {
        int i = 0, line = 1;
        while (i < source.Length)
        {
            char c = source[i];
            if (c == '\n') { line++; i++; continue; }
            if (c == '/' && i + 1 < source.Length && source[i + 1] == '/')
            {
                int end = source.IndexOf('\n', i);
                if (end < 0) end = source.Length;
                yield return (line, source[(i + 2)..end]);
                i = end;
                continue;
            }
            if (c == '/' && i + 1 < source.Length && source[i + 1] == '*')
            {
                int end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0) end = source.Length;
                var body = source[(i + 2)..end];
                yield return (line, body);
                line += body.Count(ch => ch == '\n');
                i = Math.Min(end + 2, source.Length);
                continue;
            }
            if (c == '\'')
            {
                // A char literal: skip it whole, so '"' does not open a string.
                int end = i + 1;
                while (end < source.Length && source[end] != '\'') end += source[end] == '\\' ? 2 : 1;
                i = end + 1;
                continue;
            }
            if (c == '"')
            {
                bool verbatim = false;
                for (int k = i - 1; k >= 0 && (source[k] == '@' || source[k] == '$'); k--) verbatim |= source[k] == '@';
                var text = new StringBuilder();
                int j = i + 1;
                while (j < source.Length)
                {
                    if (verbatim && source[j] == '"' && j + 1 < source.Length && source[j + 1] == '"') { text.Append("\"\""); j += 2; continue; }
                    if (!verbatim && source[j] == '\\' && j + 1 < source.Length) { text.Append(source, j, 2); j += 2; continue; }
                    if (source[j] == '"' || (!verbatim && source[j] == '\n')) break;
                    text.Append(source[j]);
                    j++;
                }
                yield return (line, text.ToString());
                line += text.ToString().Count(ch => ch == '\n');
                i = j + 1;
                continue;
            }
            i++;
        }
    }
}
