namespace ByolA.Tests.Support;

/// <summary>The library's C# sources (src/ByolA), build outputs left out, for tests that check rules on the code itself.</summary>
public static class LibrarySources
{
    /// <summary>src/ByolA.</summary>
    public static string Root { get; } = Path.Combine(SharedData.RepoRoot, "src", "ByolA");

    /// <summary>Every .cs file below <see cref="Root"/>/<paramref name="folder"/> (all of it when empty), without bin/, obj/ and the other backends' obj-BACKEND/.</summary>
    public static IEnumerable<string> Files(string folder = "") =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") &&
                        !f.Contains($"{Path.DirectorySeparatorChar}obj-") &&
                        !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));
}
