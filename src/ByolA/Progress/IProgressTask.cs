namespace ByolA.Progress;

/// <summary>A running task started with <see cref="IProgressReporter.Start"/>; dispose it when done.</summary>
public interface IProgressTask : IDisposable
{
    /// <summary>Moves forward by <paramref name="steps"/>, with an optional short status (e.g. "loss 0.41").</summary>
    void Advance(long steps = 1, string? status = null);
}
