using static ByolA.Tests.Support.CliRunner;
using ByolA.Cli;

namespace ByolA.Tests.Cli;

public class CliTests
{
    [Fact]
    public void Help_lists_every_verb()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(ExitCodes.Ok, code);
        string[] verbs = ["preprocess", "convert-wav", "train", "evaluate", "embed", "merge-embeddings", "export", "report", "demo", "runtime"];
        foreach (var verb in verbs)
            Assert.Matches(@"(?m)^\s+" + System.Text.RegularExpressions.Regex.Escape(verb) + @"\b", output);
    }

    [Theory]
    [InlineData("preprocess")]
    [InlineData("convert-wav")]
    [InlineData("train")]
    [InlineData("evaluate")]
    [InlineData("embed")]
    [InlineData("demo")]
    public void Every_verb_has_help_with_the_shared_options(string verb)
    {
        var (code, output, _) = Run(verb, "--help");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("--device", output);
        Assert.Contains("--config", output);
    }

    [Fact]
    public void Unknown_verb_is_a_usage_error()
    {
        var (code, _, err) = Run("fly");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("fly", err);
    }

    [Fact]
    public void Version_prints_a_version()
    {
        var (code, output, _) = Run("--version");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Matches(@"\d+\.\d+\.\d+", output);
    }
}
