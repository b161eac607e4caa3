namespace ByolA.Cli;

/// <summary>Where verbs write: standard output for results, standard error for progress and errors.</summary>
public sealed class CliContext(TextWriter output, TextWriter error)
{
    public TextWriter Output { get; } = output;
    public TextWriter Error { get; } = error;

    /// <summary>A progress renderer on <see cref="Error"/> (bars on a terminal, plain lines when redirected).</summary>
    public ConsoleProgressReporter CreateProgress() =>
        new(Error, interactive: ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected);
}
