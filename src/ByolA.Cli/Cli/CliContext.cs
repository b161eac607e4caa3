namespace ByolA.Cli;

/// <summary>Where verbs write: standard output for results, standard error for progress and errors.</summary>
public sealed class CliContext(TextWriter output, TextWriter error)
{
    public TextWriter Output { get; } = output;
    public TextWriter Error { get; } = error;

    /// <summary>
    /// A progress renderer on <see cref="Error"/>: bars redrawn in place when both standard output and standard
    /// error are terminals, otherwise log-friendly lines (at most one every 10 s, plus one per finished task) —
    /// <c>byola train ... &gt; run.log 2&gt;&amp;1</c> and <c>| tee</c> must not get a line per update. A rank started by
    /// MPI always writes log lines: Open MPI gives every rank a pseudo-terminal even when mpirun's own output goes to
    /// a file, and a multi-rank run is mostly read from one.
    /// </summary>
    public ConsoleProgressReporter CreateProgress() =>
        new(Error, interactive: ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected && !Console.IsOutputRedirected && !StartedByMpi());

    /// <summary>The variables Open MPI's mpirun and Slurm's PMIx/PMI-2 plug-ins set in every rank (as the library's process groups read them).</summary>
    static bool StartedByMpi() =>
        Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") != null || Environment.GetEnvironmentVariable("PMIX_RANK") != null ||
        Environment.GetEnvironmentVariable("PMI_RANK") != null;
}
