namespace ByolA.Audio;

/// <summary>
/// Running population mean and standard deviation of an engine's log-mel over batches of clips: the normalisation
/// statistics of SPEC §6.1, computed by the runtime that will embed with them.
/// </summary>
internal interface ILogMelMoments : IDisposable
{
    /// <summary>Adds the log-mel of clips (<paramref name="count"/>, <paramref name="samples"/>), row-major.</summary>
    void Add(float[] clips, int count, int samples);

    /// <summary>Log-mel values added so far.</summary>
    long Count { get; }

    /// <summary>Mean of everything added.</summary>
    double Mean { get; }

    /// <summary>Population standard deviation of everything added.</summary>
    double Std { get; }
}
