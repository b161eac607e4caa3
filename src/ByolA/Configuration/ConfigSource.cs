namespace ByolA.Configuration;

/// <summary>Resolves a <c>--config</c> value: a file path, or the built-in names <c>v1</c> / <c>v2</c>.</summary>
public static class ConfigSource
{
    /// <summary>
    /// Loads <paramref name="pathOrName"/> (null → configs/config.yaml when it exists in the working folder,
    /// else the built-in v1 values), applies <paramref name="overrides"/> and validates the result.
    /// </summary>
    public static ByolAConfig Resolve(string? pathOrName, IEnumerable<string>? overrides = null)
    {
        ByolAConfig config;
        string source;
        switch (pathOrName)
        {
            case "v1": config = ByolAConfig.V1; source = "built-in v1 config"; break;
            case "v2": config = ByolAConfig.V2; source = "built-in v2 config"; break;
            case null or "":
                var local = Path.Combine("configs", "config.yaml");
                if (File.Exists(local)) { config = ConfigLoader.Load(local); source = local; }
                else { config = ByolAConfig.V1; source = "built-in v1 config"; }
                break;
            default: config = ConfigLoader.Load(pathOrName); source = pathOrName; break;
        }
        if (overrides != null) config = ConfigLoader.ApplyOverrides(config, overrides);
        return config.Validate(source);
    }
}
