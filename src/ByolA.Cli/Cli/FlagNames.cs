using System.CommandLine;
using System.CommandLine.Parsing;
using ByolA.Configuration;

namespace ByolA.Cli;

/// <summary>
/// One verb's names for the library's options: which flag or argument sets each options-record property or config key.
/// The library names properties and keys in its messages (<see cref="ByolAException.Options"/>); <see cref="VerbRunner"/>
/// shows them under these names, and reports an <see cref="OptionException"/> as a usage error when the value it blames
/// came from the command line.
/// </summary>
public sealed class FlagNames
{
    readonly Dictionary<string, List<Symbol>> symbols = new(StringComparer.Ordinal);
    readonly List<Option<string[]>> overrides = [];
    readonly HashSet<string> configKeys = new(StringComparer.Ordinal);

    /// <summary>
    /// Names <paramref name="name"/> (a property such as <c>BatchSize</c> or a config key such as <c>lr</c>) by
    /// <paramref name="symbol"/>. A name several symbols set (the embed mode: <c>--timestamps</c> or <c>--whole</c>) is
    /// shown as the one given.
    /// </summary>
    public FlagNames Add(string name, Symbol symbol)
    {
        if (!symbols.TryGetValue(name, out var list)) symbols[name] = list = [];
        list.Add(symbol);
        return this;
    }

    /// <summary>
    /// Names config key <paramref name="key"/> by <paramref name="flag"/> (<c>lr</c> by <c>--lr</c>). A key's value may
    /// also come from the config file, so errors about it are the command line's only when the flag or --set gave it.
    /// </summary>
    public FlagNames AddConfigKey(string key, Option flag)
    {
        configKeys.Add(key);
        return Add(key, flag);
    }

    /// <summary>Config keys given as <c>--set KEY=VALUE</c> are named <c>--set KEY</c>.</summary>
    public FlagNames AddOverrides(Option<string[]> set)
    {
        overrides.Add(set);
        return this;
    }

    /// <summary>
    /// The command-line name of <paramref name="name"/>, and whether the user gave it (rather than leaving a default or
    /// the config file's value); null when no flag or argument sets it.
    /// </summary>
    public (string Name, bool Given)? Find(string name, ParseResult parse)
    {
        symbols.TryGetValue(name, out var list);
        if (list?.FirstOrDefault(s => IsGiven(s, parse)) is { } given) return (Display(given), true);
        // Flags are applied after --set, so a key is --set's only when no flag set it.
        foreach (var set in overrides)
            if ((parse.GetValue(set) ?? []).Any(o => o.Split('=', 2)[0].Trim() == name)) return ($"{set.Name} {name}", true);
        return list is { Count: > 0 } ? (Display(list[0]), false) : null;
    }

    /// <summary>
    /// <paramref name="e"/>'s message in command-line terms, and whether it is a usage error: an
    /// <see cref="OptionException"/> blaming an option the verb sets from the command line (for a config key: one the
    /// user gave there).
    /// </summary>
    public (string Message, bool Usage) Describe(ByolAException e, ParseResult parse)
    {
        if (e.Options.Count == 0) return (e.Message, false);
        var found = e.Options.Select(n => Find(n, parse)).ToArray();
        // A config key's value that did not come from the command line came from the config file.
        if ((e is ConfigException || configKeys.Contains(e.Options[0])) && found[0] is not { Given: true })
            return (e is ConfigException ? e.Message : e.Format(i => i == 0 ? $"config key '{e.Options[0]}'" : found[i]?.Name ?? e.Options[i]), false);
        // Any other option the verb sets is the command line's: a wrong or missing value there is a usage error.
        return (e.Format(i => found[i]?.Name ?? e.Options[i]), e is OptionException && found[0] != null);
    }

    static bool IsGiven(Symbol symbol, ParseResult parse) => symbol switch
    {
        Option o => parse.GetResult(o) is { Implicit: false },
        Argument a => parse.GetResult(a) is { Tokens.Count: > 0 },
        _ => false,
    };

    /// <summary>Options by their flag (<c>--batch</c>), arguments as their help shows them in capitals (<c>UNIT_SEC</c>).</summary>
    static string Display(Symbol symbol) => symbol is Argument a ? a.Name.ToUpperInvariant().Replace('-', '_') : symbol.Name;
}
