using ByolA.Configuration;
using ByolA.Tests.Support;
using static ByolA.Tests.Support.CliRunner;

namespace ByolA.Tests.Configuration;

/// <summary>Deeply nested YAML (in a file or in --set) is one clear error, not a stack overflow that kills the process.</summary>
public class ConfigDepthTests
{
    static readonly string Deep = new string('[', 100_000) + new string(']', 100_000);

    [Fact]
    public void A_config_file_nested_100000_deep_is_refused_with_the_limit()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("deep.yaml"), "lr: " + Deep + "\n");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(dir.File("deep.yaml")));
        Assert.Contains("deep.yaml", e.Message);
        Assert.Contains($"nested more than {ConfigLoader.MaxDepth} levels", e.Message);
    }

    [Fact]
    public void An_override_nested_100000_deep_is_one_line_and_a_failed_run()
    {
        using var dir = new TempDir();
        var (code, _, err) = Run("train", dir.Path, "--config", "v1", "--set", "lr=" + Deep, "--device", "cpu");
        Assert.NotEqual(0, code);
        Assert.Contains($"nested more than {ConfigLoader.MaxDepth} levels", err);
        Assert.True(err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 2, err);
    }

    [Fact]
    public void Ordinary_nesting_still_loads()
    {
        var config = ConfigLoader.ApplyOverrides(ByolAConfig.V1, ["shape=[64, 96]"]);
        Assert.Equal([64, 96], config.Shape);
    }
}
