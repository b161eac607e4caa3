namespace ByolA.Data;

/// <summary>
/// The one rule for "the audio files below a folder", used by convert-wav, train, embed and the dataset builders:
/// every file with an audio extension (<see cref="AudioFormats.All"/> unless narrowed; any letter case), recursively, in ordinal path order, hidden files and folders (dot names on
/// Unix, such as macOS "._x.wav" resource forks; the Hidden attribute on Windows) and unreadable folders skipped.
/// Each real folder is walked once: a symbolic link that leads to a folder already walked (a link loop, or a second
/// link to the same place) is skipped with a warning, so loops end and no file is found twice through links.
/// </summary>
internal static class AudioFileFinder
{
    /// <summary>
    /// The audio files below <paramref name="folder"/> (only directly in it when <paramref name="recursive"/> is
    /// false), as paths below <paramref name="folder"/> as given: those whose extension is one of
    /// <paramref name="extensions"/> (lower case, no dot; default <see cref="AudioFormats.All"/>). Which decoder reads
    /// a file is then decided by its content. <paramref name="warn"/> receives one line per folder skipped because it
    /// was walked already. <paramref name="outputFolder"/> (a real path) is a folder that a run writes to: a subfolder
    /// reached through links whose real path is in it, but not in <paramref name="folder"/>'s own real path, is skipped
    /// with a warning, so outputs never become inputs of the next run.
    /// </summary>
    public static List<string> Find(string folder, Action<string>? warn = null, bool recursive = true, IReadOnlyCollection<string>? extensions = null,
        string? outputFolder = null)
    {
        var wanted = new HashSet<string>((extensions ?? AudioFormats.All).Select(e => e.TrimStart('.').ToLowerInvariant()), StringComparer.Ordinal);
        if (!Directory.Exists(folder)) throw new ByolAException($"{folder}: folder not found");
        var files = new List<string>();
        var walked = new Dictionary<string, string>(FilePaths.Comparison == StringComparison.Ordinal ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
        // Each folder travels with its real path; a plain subfolder's real path is its parent's plus its name.
        var pending = new Stack<(string Path, string Real)>();
        var rootReal = FilePaths.Real(folder);
        pending.Push((folder, rootReal));
        walked[rootReal] = folder;
        var options = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        while (pending.Count > 0)
        {
            var (dir, dirReal) = pending.Pop();
            List<FileSystemInfo> entries;
            try { entries = new DirectoryInfo(dir).EnumerateFileSystemInfos("*", options).ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            // Sorted, so which of two ways into one folder is searched does not depend on the listing order.
            entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            var subfolders = new List<(string, string)>();
            foreach (var entry in entries)
            {
                var path = Path.Combine(dir, entry.Name);
                if (entry is DirectoryInfo sub)
                {
                    if (!recursive) continue;
                    var real = sub.LinkTarget == null ? Path.Combine(dirReal, entry.Name) : FilePaths.Real(path);
                    if (walked.TryGetValue(real, out var first))
                    {
                        warn?.Invoke($"{path}: leads to the folder {first} (symbolic link), already searched; skipped");
                        continue;
                    }
                    if (outputFolder != null && FilePaths.IsSameOrInside(real, outputFolder) && !FilePaths.IsSameOrInside(real, rootReal))
                    {
                        warn?.Invoke($"{path}: leads into the output folder {outputFolder} (symbolic link); skipped, outputs are not inputs");
                        continue;
                    }
                    walked[real] = path;
                    subfolders.Add((path, real));
                }
                else if (wanted.Contains(AudioFormats.ExtensionOf(entry.Name)))
                {
                    // Told apart before anything opens it: a FIFO would block the reader forever, a device never end.
                    if (InputFile.SpecialKind(path) is { } kind) warn?.Invoke($"{path}: is {kind}, not a regular file; skipped");
                    else files.Add(path);
                }
            }
            for (int i = subfolders.Count - 1; i >= 0; i--) pending.Push(subfolders[i]);
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
