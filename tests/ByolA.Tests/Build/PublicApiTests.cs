namespace ByolA.Tests.Build;

/// <summary>
/// The deliberate public surface: what ByolAModel, the options and results records and the verbs' entry points need.
/// PublicApiAnalyzers fails the build on any public symbol missing from src/ByolA/PublicAPI.*.txt; this test keeps the
/// machinery under those entry points (encoders, weight files, augmentations, engines, ONNX graphs) out of it.
/// </summary>
public class PublicApiTests
{
    [Fact]
    public void The_machinery_under_the_entry_points_is_internal()
    {
        var exported = typeof(ByolAModel).Assembly.GetExportedTypes();
        string[] internalRooms = ["ByolA.Models", "ByolA.Weights", "ByolA.Augmentations", "ByolA.Embedding.Formats"];
        var leaked = exported.Where(t => internalRooms.Contains(t.Namespace)).Select(t => t.FullName).ToList();
        Assert.True(leaked.Count == 0, "public but meant to be internal: " + string.Join(", ", leaked));
        Assert.Contains(typeof(ByolAModel), exported);
        Assert.Contains(exported, t => t.Name == "EmbedderJob");
        Assert.Contains(exported, t => t.Name == "LinearEvaluation");
        Assert.Contains(exported, t => t.Name == "Trainer");
    }

    [Fact]
    public void The_declared_api_lists_every_exported_type()
    {
        var declared = File.ReadAllLines(Path.Combine(Support.SharedData.RepoRoot, "src", "ByolA", "PublicAPI.Shipped.txt"))
            .Concat(File.ReadAllLines(Path.Combine(Support.SharedData.RepoRoot, "src", "ByolA", "PublicAPI.Unshipped.txt")))
            .ToHashSet();
        var missing = typeof(ByolAModel).Assembly.GetExportedTypes()
            .Where(t => !t.IsNested && !declared.Any(l => l == t.FullName || l.StartsWith(t.FullName + " ", StringComparison.Ordinal) || l.StartsWith(t.FullName + ".", StringComparison.Ordinal)))
            .Select(t => t.FullName).ToList();
        Assert.True(missing.Count == 0, "exported but not declared: " + string.Join(", ", missing));
    }
}
