namespace ByolA.Configuration;

/// <summary>A configuration file or override that cannot be used; the message names the key and the source.</summary>
public sealed class ConfigException : ByolAException
{
    public ConfigException(string message) : base(message) { }
}
