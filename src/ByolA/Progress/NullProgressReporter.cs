namespace ByolA.Progress;

/// <summary>Discards all progress; used by tests and as the library default.</summary>
public sealed class NullProgressReporter : IProgressReporter, IProgressTask
{
    public static NullProgressReporter Instance { get; } = new();
    public IProgressTask Start(string description, long total) => this;
    public void Message(string text) { }
    public void Advance(long steps = 1, string? status = null) { }
    public void Dispose() { }
}
