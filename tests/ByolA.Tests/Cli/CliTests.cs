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
        // Optional arguments in brackets, required ones not, descriptions still in one column.
        var lines = output.Split('\n');
        var evaluate = Assert.Single(lines, l => l.StartsWith("  evaluate "));
        Assert.StartsWith("  evaluate <weights> [<task>] [<unit-sec>] [<repeat>]  ", evaluate);
        Assert.StartsWith("  report [<results-dir>] ", Assert.Single(lines, l => l.StartsWith("  report ")));
        Assert.StartsWith("  embed <weights> <inputs> ", Assert.Single(lines, l => l.StartsWith("  embed ")));
        int column = evaluate.IndexOf("Embed a task", StringComparison.Ordinal);
        Assert.Equal(column, Assert.Single(lines, l => l.StartsWith("  train ")).IndexOf("Pretrain", StringComparison.Ordinal));
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
        // One error line (no "Required command was not provided" after it) that lists the verbs, and the help hint.
        var lines = err.TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains("the verbs are preprocess, convert-wav, train", lines[0]);
        (code, _, err) = Run();
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: no verb given; the verbs are", err);
    }

    [Fact]
    public void A_verb_without_its_arguments_names_them_once()
    {
        var (code, _, err) = Run("embed");
        Assert.Equal(ExitCodes.Usage, code);
        var lines = err.TrimEnd().Split('\n');
        Assert.Equal(["error: missing arguments <weights> and <inputs> of 'embed'", "Run 'byola embed --help' for usage."], lines);
        (code, _, err) = Run("embed", "w.pth");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: missing argument <inputs> of 'embed'\n", err);
    }

    [Fact]
    public void Version_prints_a_version()
    {
        var (code, output, _) = Run("--version");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Matches(@"\d+\.\d+\.\d+", output);
    }
}
