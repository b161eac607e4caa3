using System.CommandLine;
using System.Text;

namespace ByolA.Cli;

/// <summary>
/// The verbs' list in <c>byola --help</c>, with optional arguments in brackets (<c>evaluate &lt;weights&gt;
/// [&lt;task&gt;] [&lt;unit-sec&gt;] [&lt;repeat&gt;]</c>). System.CommandLine 2.0 writes every argument of a subcommand as
/// if required there and keeps its help builder internal, so its text is rewritten: each verb's first column is
/// rebuilt and the descriptions (and their wrapped lines) are moved to the new column.
/// </summary>
internal static class RootHelp
{
    /// <summary>What a verb's arguments look like in the list: <c>&lt;name&gt;</c>, or <c>[&lt;name&gt;]</c> when it may be left out.</summary>
    public static string Usage(Command verb) =>
        string.Join(" ", new[] { verb.Name }.Concat(verb.Arguments.Where(a => !a.Hidden)
            .Select(a => a.Arity.MinimumNumberOfValues == 0 ? $"[<{a.HelpName ?? a.Name}>]" : $"<{a.HelpName ?? a.Name}>")));

    /// <summary><paramref name="help"/> (the root's help text) with the Commands section's first column rebuilt.</summary>
    public static string Rewrite(string help, Command root)
    {
        var lines = help.Split('\n');
        int start = Array.FindIndex(lines, l => l.TrimEnd('\r') == "Commands:");
        if (start < 0) return help;
        // The old first column of each verb, as System.CommandLine wrote it, and the new one.
        var rows = root.Subcommands.Where(c => !c.Hidden).Select(c => (
            Old: string.Join(" ", new[] { c.Name }.Concat(c.Arguments.Where(a => !a.Hidden).Select(a => $"<{a.HelpName ?? a.Name}>"))),
            New: Usage(c))).ToList();
        int width = rows.Max(r => r.New.Length);
        int oldColumn = -1;
        var result = new StringBuilder();
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (i > start && line.Length > 2)
            {
                var row = rows.FirstOrDefault(r => line.StartsWith("  " + r.Old + " ", StringComparison.Ordinal) || line.TrimEnd('\r') == "  " + r.Old);
                if (row.Old != null)
                {
                    var rest = line[(2 + row.Old.Length)..];
                    oldColumn = 2 + row.Old.Length + (rest.Length - rest.TrimStart(' ').Length);
                    line = "  " + row.New.PadRight(width) + "  " + rest.TrimStart(' ');
                }
                else if (oldColumn > 0 && line.StartsWith(new string(' ', oldColumn), StringComparison.Ordinal))
                    line = new string(' ', width + 4) + line[oldColumn..];   // a wrapped description line
            }
            result.Append(line);
            if (i < lines.Length - 1) result.Append('\n');
        }
        return result.ToString();
    }
}
