using System.Text.RegularExpressions;
using ByolA.Tests.Support;

namespace ByolA.Tests.Build;

/// <summary>The one-way arrows and single implementations that ARCHITECTURE.md promises, checked on the sources.</summary>
public class ArchitectureTests
{
    static readonly string Library = LibrarySources.Root;

    static IEnumerable<(string File, string Text)> Sources(string folder) =>
        LibrarySources.Files(folder).Select(f => (Path.GetRelativePath(SharedData.RepoRoot, f), File.ReadAllText(f)));

    [Theory]
    [InlineData("Models")]
    [InlineData("Augmentations")]
    public void Encoders_and_augmentations_use_nothing_from_files_front_end_or_training(string folder)
    {
        // Encoders take tensors, never files; augmentations know no network: neither may reach up or into the file layer.
        var forbidden = new Regex(@"\bByolA\.(Data|Audio|Weights|Learning|Evaluation|Tasks|Demo|Onnx|Reports|Configuration)\b");
        var offenders = Sources(folder).Where(s => forbidden.IsMatch(s.Text)).Select(s => s.File).ToList();
        Assert.True(offenders.Count == 0, $"{folder} must not use those parts: {string.Join(", ", offenders)}");
    }

    [Fact]
    public void Reports_read_and_draw_without_calling_back_into_evaluation_training_or_the_demo()
    {
        // Evaluation, Learning and Demo write their files and pictures through Reports; an arrow back would be a cycle.
        var forbidden = new Regex(@"\bByolA\.(Evaluation|Learning|Demo|Onnx)\b");
        var offenders = Sources("Reports").Where(s => forbidden.IsMatch(s.Text)).Select(s => s.File).ToList();
        Assert.True(offenders.Count == 0, $"Reports must not use those parts: {string.Join(", ", offenders)}");
    }

    [Fact]
    public void The_float32_epsilon_is_defined_once()
    {
        var definitions = Sources("").Where(s => s.Text.Contains("1.1920929", StringComparison.Ordinal)).Select(s => s.File).ToList();
        Assert.Equal([Path.Combine("src", "ByolA", "Numerics.cs")], definitions);
    }

    [Fact]
    public void Only_the_weights_part_unpickles_and_only_AtomicFile_renames_into_place()
    {
        var unpicklers = Sources("").Where(s => s.Text.Contains("new Unpickler", StringComparison.Ordinal) ||
                                                s.Text.Contains(": Unpickler", StringComparison.Ordinal)).Select(s => s.File).ToList();
        Assert.All(unpicklers, f => Assert.StartsWith(Path.Combine("src", "ByolA", "Weights"), f));
        var renames = Sources("").Where(s => Regex.IsMatch(s.Text, @"\bFile\.(Move|Replace)\(")).Select(s => s.File).ToList();
        Assert.Equal([Path.Combine("src", "ByolA", "Data", "AtomicFile.cs")], renames);
    }

    [Fact]
    public void ARCHITECTURE_md_names_every_part_of_the_library()
    {
        var text = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "ARCHITECTURE.md"));
        var parts = Directory.GetDirectories(Library).Select(Path.GetFileName)
            .Where(n => n is not ("bin" or "obj") && !n!.StartsWith("obj-", StringComparison.Ordinal) && !n.StartsWith('.')).ToList();
        var missing = parts.Where(p => !text.Contains($"**{p}**", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"ARCHITECTURE.md has no entry for: {string.Join(", ", missing)}");
    }
}
