using System.CommandLine;
using ByolA.Configuration;

namespace ByolA.Cli;

/// <summary>
/// Runs a verb body and maps failures to exit codes and one clear line on stderr; stack traces only with --verbose.
/// </summary>
public static class VerbRunner
{
    /// <param name="names">The verb's names for the library's options: errors naming them show the flags, and an
    /// <see cref="OptionException"/> blaming a value given on the command line is a usage error (exit code 2).</param>
    public static int Run(CliContext context, ParseResult parse, Func<CancellationToken, int> body, FlagNames? names = null, CancellationToken token = default)
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
            return Usage(context, parse, e.Message);
        }
        catch (OperationCanceledException)
        {
            context.Error.WriteLine("cancelled: nothing half-written was left behind; rerun to continue.");
            return ExitCodes.Cancelled;
        }
        catch (ByolAException e)
        {
            var (message, usage) = (names ?? new FlagNames()).Describe(e, parse);
            if (usage) return Usage(context, parse, message);
            context.Error.WriteLine($"error: {message}");
            if (verbose) context.Error.WriteLine(e);
            return ExitCodes.Failure;
        }
        catch (System.Runtime.InteropServices.ExternalException e) when (!verbose)
        {
            // libtorch's message carries its whole C++ backtrace: one line of it is the error.
            context.Error.WriteLine($"error: libtorch failed: {FirstLine(e.Message)}" + (IsScalarRace(e.Message) ? ScalarRaceHint : "") +
                                    " (run with --verbose for details)");
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

    static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>
    /// libtorch read a number (a c10::Scalar) that was no longer valid: TorchSharp 0.107 frees the Scalars it makes
    /// from C# numbers in their finalizer, which can run while libtorch still reads one (dotnet/TorchSharp#1434).
    /// Rare, not caused by the input, and nothing is half-written, so the way on is to run again.
    /// </summary>
    internal static bool IsScalarRace(string message) => message.Contains("c10/core/Scalar.h", StringComparison.Ordinal);

    const string ScalarRaceHint = ". This is a rare fault of TorchSharp 0.107 (a number was freed by the .NET finalizer while " +
                                  "libtorch read it, dotnet/TorchSharp#1434), not of your data; nothing was half-written: run again " +
                                  "(train: add --resume OUT/checkpoint.pth to continue from the last finished epoch)";

    static int Usage(CliContext context, ParseResult parse, string message)
    {
        context.Error.WriteLine($"error: {message}");
        context.Error.WriteLine($"Run 'byola {parse.CommandResult.Command.Name} --help' for usage.");
        return ExitCodes.Usage;
    }
}
