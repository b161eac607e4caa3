using ByolA.Data;
using System.Globalization;
using System.Reflection;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization.NamingConventions;

namespace ByolA.Configuration;

/// <summary>
/// Reads config.yaml files into <see cref="ByolAConfig"/> with YamlDotNet. Unknown keys and values of the
/// wrong type are errors naming the key, the file and the line; overrides (<c>key=value</c>) use the same rules.
/// </summary>
public static class ConfigLoader
{
    static readonly Dictionary<string, PropertyInfo> Keys = typeof(ByolAConfig)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite)
        .ToDictionary(p => UnderscoredNamingConvention.Instance.Apply(p.Name), p => p);

    /// <summary>Every key a config file may hold, in snake_case.</summary>
    public static IReadOnlyCollection<string> KnownKeys => Keys.Keys;

    /// <summary>Loads a file; missing keys keep <see cref="ByolAConfig"/>'s defaults.</summary>
    public static ByolAConfig Load(string path)
    {
        if (Directory.Exists(path))
            throw new ConfigException(path, "is a folder, not a config file (name a .yaml file, e.g. configs/config.yaml, or a built-in recipe: v1 or v2)");
        if (!File.Exists(path))
            throw new ConfigException(path, "config file not found (name an existing file, e.g. configs/config.yaml, or a built-in recipe: v1 or v2)");
        // A device or FIFO (-c /dev/zero) never ends or blocks, and a huge file is not a config: both are refused
        // before reading, and reading stops at the cap should the file grow meanwhile.
        if (InputFile.SpecialKind(path) is { } kind) throw new ConfigException(path, $"is {kind}, not a config file (name a .yaml file)");
        string text;
        try { text = InputFile.ReadAllText(path, InputFile.MaxConfigBytes, "a config file"); }
        catch (Exception e) when (IoErrors.IsIo(e)) { throw new ConfigException(path, $"cannot read config file ({IoErrors.Reason(e, path)})"); }
        catch (ByolAException e) when (e is not ConfigException) { throw new ConfigException(path, e.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? e.Message[(path.Length + 2)..] : e.Message); }
        return Parse(text, path);
    }

    /// <summary>Parses YAML text; <paramref name="source"/> names it in error messages.</summary>
    public static ByolAConfig Parse(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            CheckDepth(yaml, source);
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e) { throw new ConfigException(source, $"not valid YAML at line {e.Start.Line}: {e.Message}"); }
        var config = new ByolAConfig();
        if (stream.Documents.Count == 0) return config;
        if (stream.Documents[0].RootNode is not YamlMappingNode map)
            throw new ConfigException(source, "expected a mapping of key: value pairs at the top level");
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            config = Set(config, key, valueNode, $"{source}:{keyNode.Start.Line}");
        }
        return config;
    }

    /// <summary>Deepest nesting of sequences and mappings a config may have; real configs use two levels.</summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// Walks the YAML events (YamlDotNet's parser keeps its own state stack) and refuses nesting deeper than
    /// <see cref="MaxDepth"/> before building the document tree, whose recursive construction would overflow the stack
    /// (100,000 levels of <c>[[[</c> aborted the process with exit 134).
    /// </summary>
    static void CheckDepth(string yaml, string source)
    {
        var parser = new Parser(new StringReader(yaml));
        int depth = 0;
        while (parser.MoveNext())
        {
            if (parser.Current is YamlDotNet.Core.Events.SequenceStart or YamlDotNet.Core.Events.MappingStart)
            {
                if (++depth > MaxDepth)
                    throw new ConfigException(source, $"nested more than {MaxDepth} levels deep (line {parser.Current.Start.Line}, column {parser.Current.Start.Column}); config values are numbers, strings or short lists");
            }
            else if (parser.Current is YamlDotNet.Core.Events.SequenceEnd or YamlDotNet.Core.Events.MappingEnd) depth--;
        }
    }

    /// <summary>Applies <c>key=value</c> overrides (value in YAML syntax, e.g. <c>shape=[64,96]</c>).</summary>
    public static ByolAConfig ApplyOverrides(ByolAConfig config, IEnumerable<string> overrides)
    {
        foreach (var item in overrides)
        {
            int eq = item.IndexOf('=');
            if (eq <= 0) throw new ConfigException($"override '{item}'", "expected key=value (e.g. lr=0.001)");
            var key = item[..eq].Trim();
            var stream = new YamlStream();
            try
            {
                CheckDepth(item[(eq + 1)..], $"override '{key}'");
                stream.Load(new StringReader(item[(eq + 1)..]));
            }
            catch (YamlException e) { throw new ConfigException($"override '{item}'", $"value is not valid YAML: {e.Message}"); }
            var node = stream.Documents.Count == 0 ? new YamlScalarNode("") : stream.Documents[0].RootNode;
            config = Set(config, key, node, $"override '{item}'");
        }
        return config;
    }

    /// <summary>Returns a copy of <paramref name="config"/> with one key set from a typed value.</summary>
    public static ByolAConfig With(ByolAConfig config, string key, object value)
    {
        if (!Keys.TryGetValue(key, out var prop))
            throw new ConfigException("config", $"unknown key '{key}'");
        var copy = config with { };
        prop.SetValue(copy, prop.PropertyType.IsEnum
            ? ParseEnum(System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? "", prop.PropertyType, key, "config")
            : System.Convert.ChangeType(value, prop.PropertyType, CultureInfo.InvariantCulture));
        return copy;
    }

    static ByolAConfig Set(ByolAConfig config, string key, YamlNode node, string where)
    {
        if (!Keys.TryGetValue(key, out var prop))
            throw new ConfigException(where, $"unknown key '{key}' (known keys: {string.Join(", ", Keys.Keys.Order())})");
        var copy = config with { };
        prop.SetValue(copy, ConvertNode(node, prop.PropertyType, key, where));
        return copy;
    }

    static object ConvertNode(YamlNode node, Type type, string key, string where)
    {
        if (type == typeof(int[]))
        {
            if (node is not YamlSequenceNode seq)
                throw new ConfigException(where, key, "expects a list of integers like [64, 96]");
            return seq.Children.Select(c => (int)ConvertNode(c, typeof(int), key, where)).ToArray();
        }
        if (node is not YamlScalarNode scalar)
            throw new ConfigException(where, key, $"expects one value, {Describe(type)}, not a {(node is YamlSequenceNode ? "list" : "mapping")}");
        var text = scalar.Value ?? "";
        if (type == typeof(string)) return text;
        if (type.IsEnum) return ParseEnum(text, type, key, where);
        if (type == typeof(int) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)) return i;
        if (type == typeof(double) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        throw new ConfigException(where, key, $"expects {Describe(type)}, got '{text}'");
    }

    /// <summary>
    /// An enum value by its name (as written in configs: <c>model: AudioNTT2022</c>, <c>precision: bf16</c>), in any
    /// case since configs write some in lower case; numbers are not names.
    /// </summary>
    static object ParseEnum(string text, Type type, string key, string where) =>
        Enum.GetNames(type).FirstOrDefault(n => n == text.Trim()) is { } name ? Enum.Parse(type, name)
            : Enum.GetNames(type).FirstOrDefault(n => string.Equals(n, text.Trim(), StringComparison.OrdinalIgnoreCase)) is { } loose ? Enum.Parse(type, loose)
            : throw new ConfigException(where, key, $"expects one of {string.Join(", ", Enum.GetNames(type))}, got '{text}'");

    static string Describe(Type t) => t == typeof(int) ? "an integer" : t == typeof(double) ? "a number" : "text";
}
