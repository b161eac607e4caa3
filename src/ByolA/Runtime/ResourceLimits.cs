using System.Globalization;

namespace ByolA.Runtime;

/// <summary>
/// Upper bounds on what options may ask of this machine, checked before anything is started or allocated, so a request
/// that cannot work (100,000 threads, a batch larger than memory) is refused with the limit instead of ending in an
/// OutOfMemoryException or a hang. The memory figures are lower bounds of the real need: what is refused here could
/// never have run; what passes may still be too much.
/// </summary>
public static class ResourceLimits
{
    /// <summary>
    /// Most threads one thread-count option may ask for: four per core, at least 64. Past the cores more threads only
    /// wait for each other, and libtorch hangs creating a pool of 100,000.
    /// </summary>
    public static int MaxThreads => Math.Max(64, 4 * Environment.ProcessorCount);

    /// <summary>Memory this process may use: the machine's physical memory, or its container's limit.</summary>
    public static long MemoryBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Refuses a thread count below 1 or above <see cref="MaxThreads"/>; null (the default) passes.</summary>
    /// <param name="option">The option's name, for <see cref="ByolAException.Options"/>.</param>
    /// <param name="threads">The count asked for.</param>
    public static void RequireThreads(string option, int? threads)
    {
        if (threads is null) return;
        if (threads <= 0) throw OptionException.Invalid(option, $"must be a positive number (got {threads})");
        if (threads > MaxThreads)
            throw OptionException.Invalid(option, $"asks for {threads} threads; at most {MaxThreads} are allowed on this machine " +
                                                  $"({Environment.ProcessorCount} cores: four threads per core, or 64)");
    }

    /// <summary>Refuses a request whose <paramref name="bytes"/> (at least) exceed <see cref="MemoryBytes"/>.</summary>
    /// <param name="option">The option (property or config key) the request comes from.</param>
    /// <param name="bytes">A lower bound of the memory the request needs.</param>
    /// <param name="what">What needs the memory, e.g. "the networks' weights at feature_d 100000000".</param>
    public static void RequireMemory(string option, double bytes, string what)
    {
        if (bytes > MemoryBytes)
            throw OptionException.Invalid(option, $"asks for more memory than this machine has: {what} need at least {GiB(bytes)}, " +
                                                  $"and the machine has {GiB(MemoryBytes)}");
    }

    /// <summary>
    /// Refuses a batch of <paramref name="clips"/> clips of <paramref name="unitSamples"/> float samples that cannot be one
    /// array (as clip batches are) or whose <paramref name="copies"/> batches held at once (prefetch) exceed memory.
    /// </summary>
    public static void RequireClipBatch(string option, int clips, int unitSamples, int copies)
    {
        if (clips <= 0 || unitSamples <= 0) return;
        long samples = (long)clips * unitSamples;
        if (samples > Array.MaxLength)
            throw OptionException.Invalid(option, $"asks for batches of {clips} clips; clips of {unitSamples} samples fit one batch array only " +
                                                  $"up to {Array.MaxLength / unitSamples} clips");
        RequireMemory(option, 4.0 * samples * copies, $"{copies} batches of {clips} clips of {unitSamples} samples held at once");
    }

    /// <summary>
    /// Refuses a batch of <paramref name="clips"/> clips of <paramref name="unitSamples"/> samples whose encoder
    /// activations alone exceed memory. The first conv block's output is 64 channels at the log-mel's full resolution
    /// (n_mels × frames) and, with the second block's input and output, stays alive while the batch is encoded
    /// (1 + ¼ + ¼ of it): 40 times the waveform's bytes at hop 160, which the clip-batch check alone did not see
    /// (an hour-long unit at batch 4 passed it and was killed at 22.7 GB).
    /// </summary>
    public static void RequireEncoderBatch(string option, int clips, int unitSamples, int hopLength, int nMels)
    {
        if (clips <= 0 || unitSamples <= 0 || hopLength <= 0 || nMels <= 0) return;
        double frames = unitSamples / hopLength + 1.0;
        RequireMemory(option, 1.5 * 4.0 * 64 * nMels * frames * clips,
            string.Format(CultureInfo.InvariantCulture, "the encoder's activations for {0} clips of {1:0} log-mel frames (64 channels × {2} mel bins each)", clips, frames, nMels));
    }

    static string GiB(double bytes) => string.Format(CultureInfo.InvariantCulture, "{0:0.#} GiB", bytes / (1L << 30));
}
