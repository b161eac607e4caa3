namespace ByolA.Data;

/// <summary>
/// Path questions answered one way everywhere: real paths (symbolic links resolved) and containment, with the
/// platform's letter-case rule (case-insensitive on Windows and macOS, exact elsewhere).
/// </summary>
internal static class FilePaths
{
    /// <summary>How two paths are compared on this platform.</summary>
    public static StringComparison Comparison { get; } =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>
    /// <paramref name="path"/> made absolute with every symbolic link in it resolved, like POSIX <c>realpath</c>.
    /// Components that do not exist (yet) are kept as written, so the result for a folder still to be created is its
    /// nearest existing ancestor's real path plus the rest. A chain of more than 40 links is a <see cref="ByolAException"/>.
    /// </summary>
    public static string Real(string path)
    {
        var pending = new Stack<string>();
        PushParts(Path.GetFullPath(path), pending, out var current);
        int links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part.Length == 0 || part == ".") continue;
            if (part == "..")
            {
                // current is already real, so its parent is the true "..", not a lexical one.
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            var next = Path.Combine(current, part);
            string? target = null;
            try { target = new FileInfo(next).LinkTarget; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            if (target == null)
            {
                current = next;
                continue;
            }
            if (++links > 40) throw new ByolAException($"{path}: too many levels of symbolic links (a link loop?)");
            var resolved = Path.IsPathRooted(target) ? target : Path.Combine(current, target);
            // The link's own parts go in front of what is still pending, resolved from its root.
            PushParts(resolved, pending, out current);
        }
        return current;
    }

    /// <summary>Splits <paramref name="path"/> into its root and its parts (pushed so the first part pops first); ".." is kept for <see cref="Real"/>.</summary>
    static void PushParts(string path, Stack<string> pending, out string root)
    {
        root = Path.GetPathRoot(path) ?? "/";
        var parts = path[root.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or below it (both made absolute; no links resolved).</summary>
    public static bool IsSameOrInside(string path, string folder)
    {
        var p = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var f = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        return p.Equals(f, Comparison) || p.StartsWith(f + Path.DirectorySeparatorChar, Comparison)
               || (f.Length > 0 && f[^1] == Path.DirectorySeparatorChar && p.StartsWith(f, Comparison)); // f is a root
    }
}
