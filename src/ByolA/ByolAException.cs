using System.Globalization;

namespace ByolA;

/// <summary>
/// A failure the user can act on (bad file, bad option, missing data). The CLI prints its message as one line
/// and exits with code 1; anything else is a bug and is reported with a stack trace under the CLI's verbose option.
/// A message may name options in the library's terms (<see cref="Options"/>, standing for <c>{0}</c>, <c>{1}</c>, … in
/// <see cref="Template"/>): <see cref="Exception.Message"/> shows those names as they are, and a front end shows its own
/// names for them through <see cref="Format"/> (the CLI its flags, so the library never names one).
/// </summary>
public class ByolAException : Exception
{
    public ByolAException(string message) : this(message, Escape(message), [], null) { }
    public ByolAException(string message, Exception inner) : this(message, Escape(message), [], inner) { }

    protected ByolAException(string message, string template, IReadOnlyList<string> options, Exception? inner) : base(message, inner)
    {
        Template = template;
        Options = options;
    }

    /// <summary>
    /// A failure whose message names options, e.g. <c>("{0}: not found; run preprocess, or point {1} to it", ["MetadataPath",
    /// "WorkRoot"])</c>; literal braces in <paramref name="template"/> are doubled.
    /// </summary>
    public static ByolAException Naming(string template, IReadOnlyList<string> options, Exception? inner = null) =>
        new(FormatWith(template, options), template, options, inner);

    /// <summary>The message with <c>{0}</c>, <c>{1}</c>, … where <see cref="Options"/> are named.</summary>
    public string Template { get; }

    /// <summary>The options-record properties or config keys the message names; empty when it names none.</summary>
    public IReadOnlyList<string> Options { get; }

    /// <summary>The message with each option named by <paramref name="name"/> (given the option's position).</summary>
    public string Format(Func<int, string> name) => FormatWith(Template, Options.Select((_, i) => name(i)).ToArray());

    /// <summary>Doubles the braces of text that goes into a template.</summary>
    public static string Escape(string text) => text.Replace("{", "{{").Replace("}", "}}");

    protected static string FormatWith(string template, IReadOnlyList<string> names) =>
        string.Format(CultureInfo.InvariantCulture, template, names.Cast<object>().ToArray());
}
