namespace ByolA.Data;

/// <summary>
/// An exclusive lock held through a lock file, shared with other processes: the file is opened with
/// <see cref="FileShare.None"/>, which .NET turns into an OS lock (flock on Linux and macOS, a share-mode lock on
/// Windows), so a second process — or a second thread of this one — cannot take it until the first disposes it or
/// dies (the OS drops the lock of a killed process). The lock file itself is left in place on release: deleting it
/// would let a waiter that opened the old file and a newcomer that created a new one both believe they hold the lock.
/// </summary>
internal sealed class FileLock : IDisposable
{
    readonly FileStream _stream;

    FileLock(FileStream stream, string path) => (_stream, Path) = (stream, path);

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>Takes the lock, or returns null at once when another holder has it.</summary>
    public static FileLock? TryAcquire(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            var stream = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            return new FileLock(stream, full);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && IsSharingViolation(e))
        {
            return null;
        }
    }

    /// <summary>
    /// Takes the lock, waiting while another holder has it (polling; holders of these locks finish in seconds);
    /// throws <see cref="ByolAException"/> after <paramref name="timeout"/> naming <paramref name="what"/>.
    /// </summary>
    public static FileLock Acquire(string path, TimeSpan timeout, string what, CancellationToken ct = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int wait = 5;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (TryAcquire(path) is { } taken) return taken;
            if (clock.Elapsed > timeout)
                throw new ByolAException($"{path}: {what} has been locked by another process for {timeout.TotalSeconds:F0} s; try again when it has finished");
            Thread.Sleep(wait);
            wait = Math.Min(wait * 2, 200);
        }
    }

    // The lock-conflict IOException has no own type; everything else (permission, missing folder) must surface.
    static bool IsSharingViolation(IOException e) =>
        e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021)   // EAGAIN/EWOULDBLOCK (Linux, macOS), ERROR_SHARING/LOCK_VIOLATION
        || e.Message.Contains("being used by another process", StringComparison.OrdinalIgnoreCase);

    public void Dispose() => _stream.Dispose();
}
