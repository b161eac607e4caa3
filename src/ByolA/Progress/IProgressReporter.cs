namespace ByolA.Progress;

/// <summary>
/// How library code reports long-running work; it never writes to the console itself. The CLI renders this
/// as progress bars and log lines; tests and embedders may pass <see cref="NullProgressReporter"/>.
/// </summary>
public interface IProgressReporter
{
    /// <summary>Starts a task of <paramref name="total"/> steps (0 when unknown) and returns its handle.</summary>
    IProgressTask Start(string description, long total);

    /// <summary>A one-line message (e.g. a warning or a summary).</summary>
    void Message(string text);
}
