using ByolA.Audio;
using ByolA.Embedding;
using System.CommandLine;

namespace ByolA.Cli;

/// <summary>--stats MEAN,STD and --stats-from DIR, shared by the verbs that normalise log-mel (embed, export).</summary>
public sealed class StatsOptions
{
    public StatsOptions(string statsHelp, string statsFromHelp)
    {
        Stats = new Option<string?>("--stats") { Description = statsHelp, HelpName = "MEAN,STD" };
        StatsFrom = new Option<string?>("--stats-from") { Description = statsFromHelp, HelpName = "DIR" };
    }

    public Option<string?> Stats { get; }
    public Option<string?> StatsFrom { get; }

    /// <summary>Adds both options to <paramref name="command"/>; returns this for chaining.</summary>
    public StatsOptions AddTo(Command command)
    {
        command.Options.Add(Stats);
        command.Options.Add(StatsFrom);
        return this;
    }

    /// <summary>The given stats and folder (at most one of them); a bad value or both at once is a usage error.</summary>
    public (NormStats? Given, string? From) Get(ParseResult parse)
    {
        var text = parse.GetValue(Stats);
        var dir = parse.GetValue(StatsFrom);
        if (text != null && dir != null) throw new UsageException("give either --stats or --stats-from, not both");
        if (text == null) return (null, dir);
        try { return (NormStats.Parse(text), null); }
        catch (ByolAException e) { throw new UsageException("--stats: " + e.Message); }
    }
}
