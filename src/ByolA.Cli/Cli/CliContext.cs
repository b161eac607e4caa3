namespace ByolA.Cli;

/// <summary>Where verbs write: standard output for results, standard error for progress and errors.</summary>
public sealed class CliContext(TextWriter output, TextWriter error)
{
    public TextWriter Output { get; } = output;
    public TextWriter Error { get; } = error;

    /// <summary>
    /// A progress renderer on <see cref="Error"/>: bars redrawn in place when both standard output and standard
    /// error are terminals, otherwise log-friendly lines (at most one every 10 s, plus one per finished task) —
    /// <c>byola train ... &gt; run.log 2&gt;&amp;1</c> and <c>| tee</c> must not get a line per update.
    /// </summary>
    public ConsoleProgressReporter CreateProgress() =>
        new(Error, interactive: ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected && !Console.IsOutputRedirected);
}
