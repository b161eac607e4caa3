namespace ByolA.Data;

/// <summary>
/// Writes a file under a temporary name in the destination folder and renames it into place, so readers
/// never see a half-written file and an interrupted run leaves at most a temp file (recognisable by
/// <see cref="TempMarker"/>) behind, never a truncated output under the real name.
/// </summary>
public static class AtomicFile
{
    /// <summary>Part of every temp name: <c>NAME.byola-tmp-XXXXXXXX</c>.</summary>
    public const string TempMarker = ".byola-tmp-";

    /// <summary>Whether <paramref name="path"/> looks like a temp file left by <see cref="Write"/>.</summary>
    public static bool IsTempName(string path) => Path.GetFileName(path).Contains(TempMarker, StringComparison.Ordinal);

    /// <summary>Tests observe which files were written durably (fsync'd before the rename).</summary>
    internal static event Action<string>? FlushedToDisk;

    /// <summary>
    /// Creates the folder if needed, calls <paramref name="write"/> on a fresh temp file, closes it and
    /// renames it to <paramref name="path"/> (replacing any existing file). On any failure the temp file is deleted.
    /// With <paramref name="durable"/>, the data reach the disk before the rename (for files worth a training run).
    /// </summary>
    public static void Write(string path, Action<Stream> write, bool durable = false)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temp = full + TempMarker + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                // No fsync by default: the rename protects against interrupted runs, and fsync per file would dominate convert-wav.
                stream.Flush(flushToDisk: durable);
            }
            if (durable) FlushedToDisk?.Invoke(full);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
