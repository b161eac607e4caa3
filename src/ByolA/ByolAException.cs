namespace ByolA;

/// <summary>
/// A failure the user can act on (bad file, bad option, missing data). The CLI prints its message as one line
/// and exits with code 1; anything else is a bug and is reported with a stack trace under --verbose.
/// </summary>
public class ByolAException : Exception
{
    public ByolAException(string message) : base(message) { }
    public ByolAException(string message, Exception inner) : base(message, inner) { }
}
