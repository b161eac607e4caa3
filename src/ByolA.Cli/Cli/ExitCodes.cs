namespace ByolA.Cli;

/// <summary>Process exit codes shared by every verb.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The work failed (bad input file, missing data, runtime error).</summary>
    public const int Failure = 1;
    /// <summary>The command line was wrong, or the verb is not available yet.</summary>
    public const int Usage = 2;
    /// <summary>Interrupted by Ctrl+C.</summary>
    public const int Cancelled = 130;
}
