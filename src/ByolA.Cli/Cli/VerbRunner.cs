using System.CommandLine;
using ByolA.Configuration;

namespace ByolA.Cli;

/// <summary>
/// Runs a verb body and maps failures to exit codes and one clear line on stderr; stack traces only with --verbose.
/// </summary>
public static class VerbRunner
{
    public static int Run(CliContext context, ParseResult parse, Func<CancellationToken, int> body, CancellationToken token = default)
    {
        bool verbose = parse.GetValue(CliApp.Verbose);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            return body(cts.Token);
        }
        catch (UsageException e)
        {
            context.Error.WriteLine($"error: {e.Message}");
            context.Error.WriteLine($"Run 'byola {parse.CommandResult.Command.Name} --help' for usage.");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            context.Error.WriteLine("cancelled: nothing half-written was left behind; rerun to continue.");
            return ExitCodes.Cancelled;
        }
        catch (ByolAException e)
        {
            context.Error.WriteLine($"error: {e.Message}");
            if (verbose) context.Error.WriteLine(e);
            return ExitCodes.Failure;
        }
        catch (Exception e)
        {
            context.Error.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message}" + (verbose ? "" : " (run with --verbose for details)"));
            if (verbose) context.Error.WriteLine(e);
            return ExitCodes.Failure;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The body of a verb whose issue has not landed yet.</summary>
    public static int NotImplemented(CliContext context, string verb, int issue)
    {
        context.Error.WriteLine($"byola {verb}: not implemented yet (tracked in issue #{issue}).");
        return ExitCodes.Usage;
    }
}
