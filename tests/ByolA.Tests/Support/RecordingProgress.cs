using ByolA.Progress;

namespace ByolA.Tests.Support;

/// <summary>A progress reporter that keeps every message, for asserting what a run said.</summary>
public sealed class RecordingProgress : IProgressReporter, IProgressTask
{
    readonly List<string> messages = [];

    public IReadOnlyList<string> Messages { get { lock (messages) return messages.ToList(); } }

    public IProgressTask Start(string description, long total) => this;

    public void Message(string text) { lock (messages) messages.Add(text); }

    public void Advance(long steps = 1, string? status = null) { }

    public void Dispose() { }
}
