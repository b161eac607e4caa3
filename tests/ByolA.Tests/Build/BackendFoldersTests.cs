using System.Diagnostics;
using ByolA.Tests.Support;

namespace ByolA.Tests.Build;

/// <summary>
/// Switching backends never poisons another backend's build: each backend restores and compiles into its own
/// obj-BACKEND/ folder in every project (one folder shared by two projects put both projects' restore assets and
/// AssemblyInfo files together: 18 × CS0579), and no project compiles a file of another backend's folder.
/// </summary>
public class BackendFoldersTests
{
    static Dictionary<string, string> Properties(string project, string backend, params string[] names)
    {
        var start = new ProcessStartInfo("dotnet", ["msbuild", Path.Combine(SharedData.RepoRoot, project), "-nologo", $"-p:TorchBackend={backend}",
            .. names.Select(n => $"-getProperty:{n}")]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEndAsync();
        var json = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, json + err.Result);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("Properties").EnumerateObject().ToDictionary(e => e.Name, e => e.Value.GetString() ?? "");
    }

    [Fact]
    public void Each_backend_has_its_own_intermediate_folder_per_project_and_none_compiles_another_s()
    {
        var cli = Properties(Path.Combine("src", "ByolA.Cli", "ByolA.Cli.csproj"), "external", "BaseIntermediateOutputPath", "DefaultItemExcludes", "ProjectAssetsFile");
        var lib = Properties(Path.Combine("src", "ByolA", "ByolA.csproj"), "external", "BaseIntermediateOutputPath", "ProjectAssetsFile");
        Assert.Equal(Path.Combine(SharedData.RepoRoot, "src", "ByolA.Cli", "obj-external") + "/", cli["BaseIntermediateOutputPath"].Replace('\\', '/'));
        Assert.Equal(Path.Combine(SharedData.RepoRoot, "src", "ByolA", "obj-external") + "/", lib["BaseIntermediateOutputPath"].Replace('\\', '/'));
        Assert.NotEqual(Path.GetDirectoryName(cli["ProjectAssetsFile"]), Path.GetDirectoryName(lib["ProjectAssetsFile"]));
        Assert.Contains("obj-*/**", cli["DefaultItemExcludes"]);
        Assert.Contains("obj/**", cli["DefaultItemExcludes"]);
        // The launcher leaves the folders to the projects: one intermediate folder on the command line is shared by both.
        Assert.DoesNotContain("BaseIntermediateOutputPath", File.ReadAllText(Path.Combine(SharedData.RepoRoot, "byola")));
    }
}
