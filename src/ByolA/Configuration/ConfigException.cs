namespace ByolA.Configuration;

/// <summary>
/// A configuration file or override that cannot be used; the message names the source and, when one key is to blame,
/// the key (<see cref="Key"/>, also the exception's one <see cref="ByolAException.Options"/> entry, so a front end can
/// blame the flag that set it instead of the file).
/// </summary>
public sealed class ConfigException : OptionException
{
    /// <summary>A problem of the source as a whole (not found, not YAML, not a mapping): "SOURCE: PROBLEM".</summary>
    public ConfigException(string source, string problem) : base($"{source}: {problem}", Escape($"{source}: {problem}"), [])
    {
        ConfigSource = source;
        Detail = problem;
    }

    /// <summary>A problem with one key's value: "SOURCE: key 'KEY' PROBLEM".</summary>
    public ConfigException(string source, string key, string problem)
        : base($"{source}: key '{key}' {problem}", "{0} " + Escape(problem), [key])
    {
        ConfigSource = source;
        Key = key;
        Detail = $"key '{key}' {problem}";
    }

    /// <summary>The file, built-in recipe or override the problem is in.</summary>
    public string ConfigSource { get; }

    /// <summary>The config key whose value is wrong, or null when the source as a whole is.</summary>
    public string? Key { get; }

    /// <summary>The message without the source.</summary>
    public string Detail { get; }
}
