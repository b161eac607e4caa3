namespace ByolA.Tests.Support;

/// <summary>
/// A fact that needs files from ../shared (paths relative to it, e.g. "golden/melspec.pth"); it is skipped with
/// a clear reason when they are absent, e.g. on a clone without the shared data.
/// </summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(params string[] relativePaths)
    {
        var missing = relativePaths.Where(p => !File.Exists(SharedData.Path_(p))).ToList();
        if (missing.Count > 0)
            Skip = $"needs {string.Join(", ", missing)} under {SharedData.Root} (the shared golden data/official weights are not in this checkout)";
    }
}
