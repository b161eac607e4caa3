using System.Text.RegularExpressions;
using ByolA.Runtime;
using ByolA.Tests.Support;

namespace ByolA.Tests.Runtime;

public class LibTorchFolderTests
{
    /// <summary>The libtorch the tests themselves run on (the NuGet package's files in the test output).</summary>
    static string OwnLibTorch => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");

    [Fact]
    public void A_folder_without_libtorch_is_refused_with_where_to_find_one()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDir();
        var e = Assert.Throws<ByolAException>(() => LibTorchFolder.Load(dir.Path, Path.Combine(OwnLibTorch, LibTorchFolder.BindingName)));
        Assert.Contains("not a libtorch folder (no libc10.so, libtorch_cpu.so, libtorch.so)", e.Message);
        Assert.Contains(LibTorchFolder.EnvironmentVariable, e.Message);
        Assert.Contains("import torch", e.Message);
    }

    [Fact]
    public void A_binding_with_a_symbol_the_folder_lacks_fails_to_load_naming_the_symbol_and_both_routes()
    {
        if (!OperatingSystem.IsLinux()) return;
        // A real loader failure without a second libtorch: libtorch_python.so, like a LibTorchSharp built for another
        // libtorch, refers to symbols this folder does not define (Python's C API), so binding it at once fails.
        var e = Assert.Throws<ByolAException>(() => LibTorchFolder.Load(OwnLibTorch, Path.Combine(OwnLibTorch, "libtorch_python.so")));
        Assert.Matches(@"needs \S+, which that libtorch does not define", e.Message);
        Assert.Contains($"does not match TorchSharp 0.107, which needs libtorch {LibTorchFolder.ExpectedVersion}.x", e.Message);
        Assert.Contains("-p:TorchBackend=cuda", e.Message);
        Assert.Contains($"PyTorch {LibTorchFolder.ExpectedVersion} install", e.Message);
    }

    [Fact]
    public void Without_the_loader_s_text_the_missing_symbol_is_found_with_ldd()
    {
        if (!OperatingSystem.IsLinux()) return;
        // libtorch_python.so needs Python's C API, which this folder does not define (as a binding built for another libtorch).
        var error = LibTorchFolder.UndefinedSymbol(Path.Combine(OwnLibTorch, "libtorch_python.so"), OwnLibTorch);
        Assert.NotNull(error);
        Assert.Matches(@"undefined symbol: Py\w+", error);
        Assert.Matches(@"needs Py\w+, which that libtorch does not define", LibTorchFolder.MismatchMessage(OwnLibTorch, error!, "2.6.0"));
        Assert.DoesNotContain("unknown loader error", LibTorchFolder.MismatchMessage(OwnLibTorch, error!, "2.6.0"));
        Assert.Null(LibTorchFolder.UndefinedSymbol(Path.Combine(OwnLibTorch, "libtorch.so"), OwnLibTorch));   // resolves fully
    }

    [Fact]
    public void Mismatch_message_names_the_folder_version_and_the_missing_symbol()
    {
        var message = LibTorchFolder.MismatchMessage("/opt/torch/lib",
            "/app/libLibTorchSharp.so: undefined symbol: _ZN2at4_ops10empty_like4callERKNS_6TensorE", "2.6.0+cu124");
        Assert.StartsWith("/opt/torch/lib (BYOLA_LIBTORCH): libtorch 2.6.0+cu124 does not match TorchSharp 0.107", message);
        Assert.Contains("needs _ZN2at4_ops10empty_like4callERKNS_6TensorE, which that libtorch does not define", message);
    }

    [Fact]
    public void Folder_version_comes_from_torch_version_py()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("torch/lib"));
        File.WriteAllText(dir.File("torch/version.py"), "from typing import Optional\n__version__ = '2.10.0+cu130'\ngit_version = 'abc'\n");
        Assert.Equal("2.10.0+cu130", LibTorchFolder.FolderVersion(dir.File("torch/lib")));
        Assert.Null(LibTorchFolder.FolderVersion(dir.Path));
    }

    [Fact]
    public void Expected_version_is_the_libtorch_package_version()
    {
        var props = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "Directory.Packages.props"));
        var version = Regex.Match(props, @"Include=""libtorch-cpu-linux-x64"" Version=""([^""]+)""").Groups[1].Value;
        Assert.StartsWith(LibTorchFolder.ExpectedVersion + ".", version);
    }

    [Fact]
    public void Runtime_verb_reports_the_bundled_libtorch_and_a_working_cpu()
    {
        var (code, output, error) = CliRunner.Run("runtime", "--device", "cpu", "--threads", "1");
        Assert.True(code == 0, error);
        Assert.Contains("libtorch: bundled with this build", output);
        Assert.Contains("device: cpu (computes correctly)", output);
        Assert.Contains("threads: 1", output);
        Assert.Contains("bf16_autocast: available", output);
    }
}
