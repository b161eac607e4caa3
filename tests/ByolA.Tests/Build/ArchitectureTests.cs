using System.Text.RegularExpressions;
using ByolA.Tests.Support;

namespace ByolA.Tests.Build;

/// <summary>The one-way arrows and single implementations that ARCHITECTURE.md promises, checked on the sources.</summary>
public class ArchitectureTests
{
    static readonly string Library = LibrarySources.Root;

    static IEnumerable<(string File, string Text)> Sources(string folder) =>
        LibrarySources.Files(folder).Select(f => (Path.GetRelativePath(SharedData.RepoRoot, f), File.ReadAllText(f)));

    /// <summary>
    /// Which parts each part of the library may use (ARCHITECTURE.md's arrows; the root's types — ByolAException,
    /// ModelKind, … — are for all). Encoders take tensors, never files; augmentations know no network; the embedding
    /// engines know nothing of probes or training; Reports reads and draws without calling back into the jobs that
    /// write through it. A new folder must be given its row.
    /// </summary>
    static readonly Dictionary<string, string[]> MayUse = new()
    {
        ["Progress"] = [],
        ["Runtime"] = [],
        ["Distributed"] = ["Data", "Runtime"],
        ["Data"] = ["Runtime", "Progress"],
        ["Configuration"] = ["Models", "Data", "Runtime"],
        ["Audio"] = ["Configuration", "Data", "Runtime", "Progress"],
        ["Models"] = ["Runtime"],
        ["Augmentations"] = ["Runtime"],
        ["Weights"] = ["Models", "Data", "Runtime", "Progress"],
        ["Onnx"] = ["Weights", "Models", "Audio", "Configuration", "Data", "Runtime", "Progress"],
        ["Embedding"] = ["Onnx", "Weights", "Models", "Audio", "Configuration", "Data", "Runtime", "Progress"],
        ["Tasks"] = ["Audio", "Configuration", "Data", "Runtime", "Progress"],
        ["Reports"] = ["Tasks", "Audio", "Configuration", "Data", "Runtime", "Progress"],
        ["Probe"] = ["Embedding", "Onnx", "Reports", "Tasks", "Models", "Audio", "Configuration", "Data", "Runtime", "Progress"],
        ["Learning"] = ["Distributed", "Augmentations", "Reports", "Weights", "Models", "Audio", "Configuration", "Data", "Runtime", "Progress"],
        ["Finetune"] = ["Probe", "Augmentations", "Embedding", "Onnx", "Reports", "Weights", "Tasks", "Models", "Audio", "Configuration", "Data", "Runtime", "Progress"],
        ["Demo"] = ["Learning", "Distributed", "Probe", "Embedding", "Reports", "Tasks", "Weights", "Models", "Augmentations", "Audio", "Configuration", "Data", "Runtime", "Progress"],
    };

    [Fact]
    public void Every_part_uses_only_the_parts_below_it()
    {
        var folders = Directory.GetDirectories(Library).Select(Path.GetFileName).Where(n => n is not ("bin" or "obj") && !n!.StartsWith('.')).ToList();
        Assert.Equal(folders.Order(), MayUse.Keys.Order());
        var rootTypes = Directory.GetFiles(Library, "*.cs").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        // A namespace or type named in code (using lines, qualified names, crefs); "ByolA.NET" is the product's name in prose.
        var reference = new Regex(@"\bByolA\.([A-Z][A-Za-z]+)\b");
        var offences = new List<string>();
        foreach (var (folder, allowed) in MayUse)
            foreach (var (file, text) in Sources(folder))
                foreach (var used in reference.Matches(text).Select(m => m.Groups[1].Value).Distinct())
                    if (used != folder && used != "NET" && !rootTypes.Contains(used) && !allowed.Contains(used))
                        offences.Add($"{file} uses {used}");
        Assert.True(offences.Count == 0, "parts used against ARCHITECTURE.md's arrows:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void The_rule_catches_a_part_that_reaches_up()
    {
        // The check above is only as good as its pattern: it must see a using line, a qualified name and a cref.
        var reference = new Regex(@"\bByolA\.([A-Z][A-Za-z]+)\b");
        Assert.Equal(["Learning", "Probe", "Embedding"],
            reference.Matches("using ByolA.Learning;\nvar x = ByolA.Probe.LinearProbe.Fit();\n/// <see cref=\"ByolA.Embedding.Embedder\"/>").Select(m => m.Groups[1].Value));
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
