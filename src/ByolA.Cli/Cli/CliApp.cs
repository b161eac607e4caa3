using System.CommandLine;
using ByolA.Cli.Commands;

namespace ByolA.Cli;

/// <summary>Builds the <c>byola</c> command tree and runs it; <see cref="Run"/> is the whole program.</summary>
public static class CliApp
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
        root.Subcommands.Add(EmbedCommand.Create(context));
        root.Subcommands.Add(MergeEmbeddingsCommand.Create(context));
        root.Subcommands.Add(ExportCommand.Create(context));
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
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) error.WriteLine($"error: {e.Message}");
            var verb = parse.CommandResult.Command;
            error.WriteLine($"Run 'byola{(verb == root ? "" : " " + verb.Name)} --help' for usage.");
            return ExitCodes.Usage;
        }
        return parse.Invoke(config);
    }
}
