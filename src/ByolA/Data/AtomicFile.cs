using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ByolA.Data;

/// <summary>
/// Writes a file under a temporary name in the destination folder and renames it into place, so readers
/// never see a half-written file and an interrupted run leaves at most a temp file (recognisable by
/// <see cref="TempMarker"/>) behind, never a truncated output under the real name. Every temp name records its
/// owner (host, process id and start time), so a later run removes only the temporaries of processes that are gone
/// (<see cref="RemoveStaleTemps"/>), never those another live run is writing.
/// </summary>
internal static partial class AtomicFile
{
    /// <summary>Part of every temp name: <c>NAME.byola-tmp-[KIND-]HOST-PID-START-RANDOM</c>.</summary>
    public const string TempMarker = ".byola-tmp-";

    /// <summary>Longest file name (bytes of UTF-8) on the file systems we write to (NAME_MAX on Linux and macOS).</summary>
    public const int MaxNameBytes = 255;

    /// <summary>Whether <paramref name="path"/> looks like a temp file left by <see cref="Write"/>.</summary>
    public static bool IsTempName(string path) => Path.GetFileName(path).Contains(TempMarker, StringComparison.Ordinal);

    /// <summary>This process as a temp file's owner: a hash of the host name, the process id and its start time (Unix seconds), in hex.</summary>
    static readonly Lazy<string> Owner = new(() =>
    {
        uint host = 2166136261;   // FNV-1a: stable across processes, unlike string.GetHashCode
        foreach (var b in Encoding.UTF8.GetBytes(Environment.MachineName)) host = (host ^ b) * 16777619;
        long start = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeSeconds();
        return string.Create(CultureInfo.InvariantCulture, $"{host & 0xffff:x4}-{Environment.ProcessId:x}-{start:x}");
    });

    /// <summary>
    /// A fresh temporary path next to <paramref name="fullPath"/> (<c>NAME.byola-tmp-[KIND-]OWNER-RANDOM</c>). When
    /// that name would exceed <see cref="MaxNameBytes"/>, NAME is shortened in the temp name only (a 255-byte output
    /// name failed because of the suffix); the renamed file gets its full name.
    /// </summary>
    public static string TempPath(string fullPath, string kind = "")
    {
        var folder = Path.GetDirectoryName(fullPath) ?? "";
        var name = Path.GetFileName(fullPath);
        var suffix = TempMarker + kind + Owner.Value + "-" + Guid.NewGuid().ToString("N")[..6];
        int room = MaxNameBytes - Encoding.UTF8.GetByteCount(suffix);
        while (name.Length > 0 && Encoding.UTF8.GetByteCount(name) > room)
            name = name[..(char.IsLowSurrogate(name[^1]) && name.Length > 1 ? name.Length - 2 : name.Length - 1)];
        return Path.Combine(folder, name + suffix);
    }

    /// <summary>
    /// Whether the temp file <paramref name="path"/> was left by a process that is gone: one of this host whose
    /// process id is no longer running, or running with another start time (the id was reused). A temp name
    /// without an owner (written before owners were recorded) counts as stale; one of another host never does.
    /// </summary>
    public static bool IsStale(string path)
    {
        var name = Path.GetFileName(path);
        int marker = name.LastIndexOf(TempMarker, StringComparison.Ordinal);
        if (marker < 0) return false;
        var m = OwnerPattern().Match(name[(marker + TempMarker.Length)..]);
        if (!m.Success) return true;
        if (m.Groups["host"].Value != Owner.Value[..4]) return false;
        int pid = int.Parse(m.Groups["pid"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        long start = long.Parse(m.Groups["start"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        try
        {
            using var process = Process.GetProcessById(pid);
            long running = new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeSeconds();
            // Start times are read from the OS each time and may differ by a rounding step: a second either way is the same process.
            return Math.Abs(running - start) > 1;
        }
        catch (ArgumentException) { return true; }              // no such process
        catch (InvalidOperationException) { return true; }      // it exited meanwhile
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or NotSupportedException) { return false; }   // cannot tell: keep it
    }

    /// <summary>
    /// Deletes the stale temp files (<see cref="IsStale"/>) in <paramref name="folder"/> (and below it with
    /// <paramref name="recursive"/>); returns how many. Files that cannot be deleted are left.
    /// </summary>
    public static int RemoveStaleTemps(string folder, bool recursive = false)
    {
        if (!Directory.Exists(folder)) return 0;
        var options = new EnumerationOptions { RecurseSubdirectories = recursive, IgnoreInaccessible = true };
        int removed = 0;
        foreach (var file in Directory.EnumerateFiles(folder, "*" + TempMarker + "*", options))
        {
            if (!IsStale(file)) continue;
            try { File.Delete(file); removed++; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return removed;
    }

    [GeneratedRegex("^(?:[a-z]+-)?(?<host>[0-9a-f]{4})-(?<pid>[0-9a-f]{1,8})-(?<start>[0-9a-f]{1,16})-[0-9a-f]+$")]
    private static partial Regex OwnerPattern();

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
        var temp = TempPath(full);
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
        var probe = TempPath(full, "probe-");
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
                temps[i] = TempPath(targets[i]);
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
                    backups[i] = TempPath(targets[i], "old-");
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
