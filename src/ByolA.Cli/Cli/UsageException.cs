namespace ByolA.Cli;

/// <summary>A command-line mistake found after parsing (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
