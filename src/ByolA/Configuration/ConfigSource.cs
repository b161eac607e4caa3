namespace ByolA.Configuration;

/// <summary>Resolves a config name: a file path, or the built-in names <c>v1</c> / <c>v2</c>.</summary>
public static class ConfigSource
{
    /// <summary>
    /// Loads <paramref name="pathOrName"/> (null → configs/config.yaml when it exists in the working folder,
    /// else the built-in v1 values), applies <paramref name="overrides"/> and validates the result.
    /// </summary>
    public static ByolAConfig Resolve(string? pathOrName, IEnumerable<string>? overrides = null)
    {
        var (config, source) = Load(pathOrName);
        if (overrides != null) config = ConfigLoader.ApplyOverrides(config, overrides);
        return config.Validate(source);
    }

    /// <summary>
    /// The config <paramref name="pathOrName"/> names (as <see cref="Resolve"/>), not yet validated, and how to name its
    /// source in messages (the file's path, or "built-in v1 config").
    /// </summary>
    public static (ByolAConfig Config, string Source) Load(string? pathOrName)
    {
        switch (pathOrName)
        {
            case "v1": return (ByolAConfig.V1, "built-in v1 config");
            case "v2": return (ByolAConfig.V2, "built-in v2 config");
            case null or "":
                var local = Path.Combine("configs", "config.yaml");
                return File.Exists(local) ? (ConfigLoader.Load(local), local) : (ByolAConfig.V1, "built-in v1 config");
            default: return (ConfigLoader.Load(pathOrName), pathOrName);
        }
    }
}
