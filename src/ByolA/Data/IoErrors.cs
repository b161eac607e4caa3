using System.Text.RegularExpressions;

namespace ByolA.Data;

/// <summary>
/// Foreseeable I/O failures as one line: the real path and the operating system's reason ("permission denied",
/// "is a directory", "No space left on device", "Read-only file system"), never an exception type or a temporary
/// file's name. .NET reports a folder opened as a file, and a missing permission, both as "Access to the path is
/// denied", so the path is looked at to tell them apart.
/// </summary>
internal static partial class IoErrors
{
    /// <summary>Whether <paramref name="e"/> is an I/O failure worth one line rather than a bug.</summary>
    public static bool IsIo(Exception e) => e is IOException or UnauthorizedAccessException;

    /// <summary>The reason of <paramref name="e"/> (an <see cref="IsIo"/> exception about <paramref name="path"/>), without the path.</summary>
    public static string Reason(Exception e, string path)
    {
        if (e is FileNotFoundException) return "no such file";
        if (FileOnTheWay(path) is { } blocker) return $"{blocker} is a file, not a folder";
        if (e is DirectoryNotFoundException) return "no such folder: " + (NearestMissing(path) ?? Path.GetDirectoryName(Path.GetFullPath(path)));
        if (e is PathTooLongException) return "the path is too long";
        // The denied path is the one in the message when there is one: a probe or temporary file inside the folder
        // `path` names is denied for want of permission, not because the folder is a directory.
        if (e is UnauthorizedAccessException) return Directory.Exists(DeniedPath(e) ?? path) ? "is a directory" : "permission denied";
        var message = e.Message;
        // .NET on Unix words it "<strerror> : '<path>'" or "The file '<path>' already exists." (the path may be a
        // temporary file's): keep the reason only.
        var m = TrailingPath().Match(message);
        if (m.Success) message = message[..m.Index];
        message = QuotedPath().Replace(message.Replace(path, "", StringComparison.Ordinal), "").Trim().TrimEnd('.', ':').Trim();
        return message.Length == 0 ? e.GetType().Name : message;
    }

    /// <summary>
    /// Creates <paramref name="folder"/> (and its parents) for <paramref name="doing"/>; a file in the way, or any other
    /// I/O failure, is one line naming the folder.
    /// </summary>
    public static void CreateFolder(string folder, string doing)
    {
        if (File.Exists(folder)) throw new ByolAException($"{folder}: is a file, not a folder; cannot {doing}");
        Guard(folder, doing, () => Directory.CreateDirectory(folder));
    }

    /// <summary>A file standing where a folder on the way to <paramref name="path"/> should be (the path's parents only), or null.</summary>
    static string? FileOnTheWay(string path)
    {
        for (var d = Path.GetDirectoryName(Path.GetFullPath(path)); d != null; d = Path.GetDirectoryName(d))
            if (File.Exists(d)) return d;
        return null;
    }

    /// <summary>A <see cref="ByolAException"/> "PATH: cannot DOING (reason)" for an I/O failure about <paramref name="path"/>.</summary>
    public static ByolAException Failure(string path, string doing, Exception e) =>
        new($"{path}: cannot {doing} ({Reason(e, path)})", e);

    /// <summary>Runs <paramref name="action"/>, turning an I/O failure into <see cref="Failure"/>.</summary>
    public static T Guard<T>(string path, string doing, Func<T> action)
    {
        try { return action(); }
        catch (Exception e) when (IsIo(e)) { throw Failure(path, doing, e); }
    }

    /// <summary>Runs <paramref name="action"/>, turning an I/O failure into <see cref="Failure"/>.</summary>
    public static void Guard(string path, string doing, Action action)
    {
        try { action(); }
        catch (Exception e) when (IsIo(e)) { throw Failure(path, doing, e); }
    }

    /// <summary>The first missing folder on the way to <paramref name="path"/>, for "no such folder" messages.</summary>
    static string? NearestMissing(string path)
    {
        var full = Path.GetFullPath(path);
        string? missing = null;
        for (var d = Path.GetDirectoryName(full); d != null && !Directory.Exists(d); d = Path.GetDirectoryName(d)) missing = d;
        return missing;
    }

    /// <summary>The path an <see cref="UnauthorizedAccessException"/> names ("Access to the path 'P' is denied."), or null.</summary>
    static string? DeniedPath(Exception e)
    {
        var m = DeniedPathPattern().Match(e.Message);
        return m.Success ? m.Groups[1].Value : null;
    }

    [GeneratedRegex(@"path '(.+)' is denied")]
    private static partial Regex DeniedPathPattern();

    [GeneratedRegex(@"\s*:\s*'[^']*'\s*\.?\s*$")]
    private static partial Regex TrailingPath();

    [GeneratedRegex(@"\s*'[^']*[/\\][^']*'|\s*''")]
    private static partial Regex QuotedPath();
}
