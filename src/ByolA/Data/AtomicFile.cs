namespace ByolA.Data;

/// <summary>
/// Writes a file under a temporary name in the destination folder and renames it into place, so readers
/// never see a half-written file and an interrupted run leaves at most a temp file (recognisable by
/// <see cref="TempMarker"/>) behind, never a truncated output under the real name.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Part of every temp name: <c>NAME.byola-tmp-XXXXXXXX</c>.</summary>
    public const string TempMarker = ".byola-tmp-";

    /// <summary>Whether <paramref name="path"/> looks like a temp file left by <see cref="Write"/>.</summary>
    public static bool IsTempName(string path) => Path.GetFileName(path).Contains(TempMarker, StringComparison.Ordinal);

    /// <summary>Tests observe which files were written durably (fsync'd before the rename).</summary>
    internal static event Action<string>? FlushedToDisk;

    /// <summary>
    /// Creates the folder if needed, calls <paramref name="write"/> on a fresh temp file, closes it and
    /// renames it to <paramref name="path"/> (replacing any existing file). On any failure the temp file is deleted; an
    /// I/O failure is a <see cref="ByolAException"/> naming <paramref name="path"/> and the OS reason.
    /// With <paramref name="durable"/>, the data reach the disk before the rename (for files worth a training run).
    /// </summary>
    public static void Write(string path, Action<Stream> write, bool durable = false)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        IoErrors.CreateFolder(folder, $"write {Path.GetFileName(full)} in it");
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
        catch (Exception e)
        {
            TryDelete(temp);
            // One line with the real name and the OS reason (disk full, permission denied, a folder in the way), never the temp name.
            if (IoErrors.IsIo(e)) throw IoErrors.Failure(path, "write", e);
            throw;
        }
    }

    /// <summary>
    /// Checks, before long work, that <paramref name="path"/> can later be written by <see cref="Write"/>: it is not a
    /// folder, and its folder exists or can be created and accepts a new file (a probe file is created and deleted).
    /// Throws a one-line <see cref="ByolAException"/> with the real path and the OS reason otherwise.
    /// </summary>
    public static void CheckWritable(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new ByolAException($"{path}: is a folder, not a file; give a file name for the output");
        var folder = Path.GetDirectoryName(full)!;
        IoErrors.CreateFolder(folder, "create the output folder");
        var probe = full + TempMarker + "probe-" + Guid.NewGuid().ToString("N")[..8];
        IoErrors.Guard(folder, "write to the output folder", () =>
        {
            using var _ = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        });
    }

    /// <summary>
    /// Writes several files that belong together (embeddings and their file list) so that either all are replaced or
    /// none is: every file is first written under a temporary name; only when all are complete are they renamed into
    /// place, each existing file kept under a backup name (a hard link, so the real name never disappears) until the
    /// last rename succeeded. A failure at any step deletes the temporary files and puts back every file already
    /// replaced, so the previous set stays intact.
    /// </summary>
    public static void WriteAll(IReadOnlyList<(string Path, Action<Stream> Write)> files)
    {
        var targets = files.Select(f => Path.GetFullPath(f.Path)).ToArray();
        var temps = new string?[files.Count];
        var backups = new string?[files.Count];
        var replaced = new List<int>();
        int current = 0;   // the file being written or renamed, named when that fails
        try
        {
            for (int i = 0; i < files.Count; i++)
            {
                current = i;
                Directory.CreateDirectory(Path.GetDirectoryName(targets[i])!);
                temps[i] = targets[i] + TempMarker + Guid.NewGuid().ToString("N")[..8];
                using var stream = new FileStream(temps[i]!, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                files[i].Write(stream);
            }
            for (int i = 0; i < files.Count; i++)
            {
                current = i;
                if (i > 0) BeforeNextRename?.Invoke(targets[i]);
                if (File.Exists(targets[i]))
                {
                    // Keeps the old file under the backup name (a hard link on Unix) and renames atomically over it.
                    backups[i] = targets[i] + TempMarker + "old-" + Guid.NewGuid().ToString("N")[..8];
                    File.Replace(temps[i]!, targets[i], backups[i], ignoreMetadataErrors: true);
                }
                else
                {
                    File.Move(temps[i]!, targets[i], overwrite: false);
                }
                temps[i] = null;
                replaced.Add(i);
            }
        }
        catch (Exception e)
        {
            for (int k = replaced.Count - 1; k >= 0; k--)
            {
                int i = replaced[k];
                // Put the previous file back (or remove a file that did not exist before).
                if (backups[i] != null) TryMove(backups[i]!, targets[i]);
                else TryDelete(targets[i]);
                backups[i] = null;
            }
            foreach (var t in temps.Concat(backups))
                if (t != null) TryDelete(t);
            if (IoErrors.IsIo(e)) throw IoErrors.Failure(files[current].Path, "write", e);
            throw;
        }
        foreach (var b in backups)
            if (b != null) TryDelete(b);
    }

    /// <summary>Tests break a group write between two renames.</summary>
    internal static event Action<string>? BeforeNextRename;

    static void TryMove(string from, string to)
    {
        try { File.Move(from, to, overwrite: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
