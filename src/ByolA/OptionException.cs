namespace ByolA;

/// <summary>
/// An option whose value cannot work, named in the library's own terms: the first of <see cref="ByolAException.Options"/>
/// is the one to blame, any others are options it clashes with or needs. A front end that set that option from its
/// own input reports it as a usage error under its own name (<see cref="ByolAException.Format"/>).
/// </summary>
public class OptionException : ByolAException
{
    /// <param name="template">The message with <c>{0}</c>, <c>{1}</c>, … for <paramref name="options"/> (literal braces doubled).</param>
    /// <param name="options">The option to blame first, then any it clashes with or needs.</param>
    public OptionException(string template, params string[] options) : this(FormatWith(template, options), template, options) { }

    /// <summary>For subclasses whose plain message says more than the template (e.g. where a config value came from).</summary>
    protected OptionException(string message, string template, string[] options) : base(message, template, options, null) { }

    /// <summary>An exception blaming one option: <c>"{option} {problem}"</c>.</summary>
    public static OptionException Invalid(string option, string problem) => new("{0} " + Escape(problem), option);

    /// <summary>The option whose value is wrong (null for a config source that is wrong as a whole).</summary>
    public string? Option => Options.Count > 0 ? Options[0] : null;
}
