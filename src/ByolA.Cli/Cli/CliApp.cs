using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ByolA.Cli.Commands;

namespace ByolA.Cli;

/// <summary>Builds the <c>byola</c> command tree and runs it; <see cref="Run"/> is the whole program.</summary>
public static partial class CliApp
{
    /// <summary>--verbose, on every verb: stack traces on errors and extra log lines.</summary>
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Print stack traces on errors and extra diagnostics.",
        Recursive = true,
    };

    public static Command Build(TextWriter output, TextWriter error)
    {
        // A plain Command rather than RootCommand so help says "byola" however the program was started
        // (RootCommand takes its name from the executable, which is ByolA.Cli under `dotnet ByolA.Cli.dll`).
        var root = new Command("byola",
            "byola — BYOL for Audio (BYOL-A) in .NET: pretrain audio encoders, embed audio, and run linear-probe evaluations.")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
            Verbose,
        };
        var context = new CliContext(output, error);
        root.Subcommands.Add(PreprocessCommand.Create(context));
        root.Subcommands.Add(ConvertWavCommand.Create(context));
        root.Subcommands.Add(TrainCommand.Create(context));
        root.Subcommands.Add(EvaluateCommand.Create(context));
        root.Subcommands.Add(ClassifyCommand.Create(context));
        root.Subcommands.Add(FinetuneCommand.Create(context));
        root.Subcommands.Add(EmbedCommand.Create(context));
        root.Subcommands.Add(MergeEmbeddingsCommand.Create(context));
        root.Subcommands.Add(ExportCommand.Create(context));
        root.Subcommands.Add(ReportCommand.Create(context));
        root.Subcommands.Add(DemoCommand.Create(context));
        root.Subcommands.Add(RuntimeCommand.Create(context));
        return root;
    }

    /// <summary>Parses and runs; returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = Build(output, error);
        var parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = output, Error = error };
        var errors = Describe(parse, root).Concat(UnknownOptions(parse)).Distinct().ToList();
        if (errors.Count > 0)
        {
            foreach (var e in errors) error.WriteLine($"error: {e}");
            var verb = parse.CommandResult.Command;
            error.WriteLine($"Run 'byola{(verb == root ? "" : " " + verb.Name)} --help' for usage.");
            return ExitCodes.Usage;
        }
        if (parse.Action is System.CommandLine.Help.HelpAction && parse.CommandResult.Command == root)
        {
            var help = new StringWriter();
            int code = parse.Invoke(new InvocationConfiguration { Output = help, Error = error });
            output.Write(RootHelp.Rewrite(help.ToString(), root));
            return code;
        }
        return parse.Invoke(config);
    }

    /// <summary>
    /// System.CommandLine's parse errors in our words: a missing argument is named (it said "Required argument missing
    /// for command: 'embed'", once per missing argument), a missing or unknown verb lists the verbs, and "Required
    /// command was not provided" is dropped when an unknown verb already explains it.
    /// </summary>
    static IEnumerable<string> Describe(ParseResult parse, Command root)
    {
        var verbs = string.Join(", ", root.Subcommands.Select(c => c.Name));
        var command = parse.CommandResult.Command;
        bool unknownVerb = parse.Errors.Any(e => e.Message.StartsWith("Unrecognized command or argument", StringComparison.Ordinal));
        foreach (var e in parse.Errors)
        {
            var m = e.Message;
            if (m.StartsWith("Required command was not provided", StringComparison.Ordinal))
            {
                if (!unknownVerb) yield return $"no verb given; the verbs are {verbs}";
            }
            else if (m.StartsWith("Unrecognized command or argument", StringComparison.Ordinal) && command == root)
                yield return $"{m.TrimEnd('.')}; the verbs are {verbs}";
            else if (m.StartsWith("Required argument missing", StringComparison.Ordinal))
            {
                var given = parse.CommandResult.Children.OfType<ArgumentResult>().Where(a => a.Tokens.Count > 0).Select(a => a.Argument).ToHashSet();
                var missing = command.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0 && !given.Contains(a)).Select(a => $"<{a.Name}>").ToList();
                yield return missing.Count == 0 ? m : $"missing argument{(missing.Count > 1 ? "s" : "")} {string.Join(" and ", missing)} of '{command.Name}'";
            }
            else if (CannotParse().Match(m) is { Success: true } bad)
                yield return $"{Owner(e)}: '{bad.Groups[1].Value}' is not {TypeInWords(bad.Groups[2].Value)}";
            else yield return m;
        }
    }

    /// <summary>The flag or argument a parse error belongs to, as the user typed or reads it in help.</summary>
    static string Owner(ParseError e) => e.SymbolResult switch
    {
        OptionResult o => o.IdentifierToken?.Value ?? o.Option.Name,
        ArgumentResult { Parent: OptionResult o } => o.IdentifierToken?.Value ?? o.Option.Name,
        ArgumentResult a => $"<{a.Argument.Name}>",
        _ => "value",
    };

    /// <summary>What a value of a CLR type is, in words with its range (System.CommandLine names the type, e.g. System.Nullable`1[System.Int32]).</summary>
    static string TypeInWords(string type)
    {
        var inner = NullableOf().Match(type) is { Success: true } n ? n.Groups[1].Value : type;
        return inner switch
        {
            "System.Int32" => $"a whole number from {int.MinValue} to {int.MaxValue}",
            "System.Int64" => $"a whole number from {long.MinValue} to {long.MaxValue}",
            "System.Double" or "System.Single" => "a number (e.g. 0.5 or 1e-3)",
            "System.Boolean" => "true or false",
            _ => $"a valid {inner.Split('.')[^1]}",
        };
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^Cannot parse argument '(.*)' for (?:option|command) '.*' as expected type '(.*)'\.?$", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex CannotParse();

    [System.Text.RegularExpressions.GeneratedRegex(@"^System\.Nullable`1\[(.*)\]$")]
    private static partial System.Text.RegularExpressions.Regex NullableOf();

    /// <summary>
    /// Tokens that look like options (<c>--frobnicate</c>, <c>-x</c>) but were taken as a verb's arguments: a verb whose
    /// last argument takes several values (embed's inputs) or an optional one (evaluate's TASK) would otherwise read an
    /// unknown option as a file or task name. Negative numbers pass, and so does anything after <c>--</c>, which is how
    /// a file whose name starts with '-' is given.
    /// </summary>
    static IEnumerable<string> UnknownOptions(ParseResult parse)
    {
        int end = parse.Tokens.ToList().FindIndex(t => t.Type == TokenType.DoubleDash);
        var beforeEnd = end < 0 ? parse.Tokens : parse.Tokens.Take(end);
        var arguments = parse.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).ToHashSet();
        return beforeEnd
            .Where(t => arguments.Contains(t) && t.Value.Length > 1 && t.Value[0] == '-' && !double.TryParse(t.Value, CultureInfo.InvariantCulture, out _))
            .Select(t => $"unknown option '{t.Value}' (arguments that start with '-' go after --)");
    }
}
