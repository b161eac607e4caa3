namespace ByolA.Tests.Support;

/// <summary>
/// Locates ../shared beside the repository (golden tensors and the official d512 weights). Those files are under
/// the original authors' licence, so they are read in place and never copied into the project.
/// </summary>
public static class SharedData
{
    /// <summary>The repository root (the folder holding ByolA.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The shared folder: $BYOLA_SHARED, else ../shared beside the repository.</summary>
    public static string Root { get; } =
        Environment.GetEnvironmentVariable("BYOLA_SHARED") is { Length: > 0 } env ? env : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string Golden(string file) => Path.Combine(Root, "golden", file);

    public static string OfficialD512Weights => Path.Combine(Root, "reference", "AudioNTT2020-BYOLA-64x96d512.pth");

    /// <summary>A path below <see cref="Root"/> (e.g. "golden/melspec.pth").</summary>
    public static string Path_(string relative) => Path.Combine(Root, relative);

    static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ByolA.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ByolA.sln not found above " + AppContext.BaseDirectory);
    }
}
