namespace ByolA.Progress;

/// <summary>Paths as messages show them: relative to the current folder when below it (short, copy-pasteable), else absolute.</summary>
public static class DisplayPath
{
    public static string For(string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, full);
        bool below = relative != "." && !Path.IsPathRooted(relative) &&
                     relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        return below ? relative : full;
    }
}
