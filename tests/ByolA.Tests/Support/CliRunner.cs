using System.Diagnostics;
using ByolA.Cli;

namespace ByolA.Tests.Support;

/// <summary>Runs the <c>byola</c> command tree in-process and captures what it prints.</summary>
public static class CliRunner
{
    /// <remarks>
    /// A verb sets libtorch's process-wide thread count (<c>--threads</c>, default all cores); it is put back afterwards,
    /// so a test's <c>--threads 1</c> does not leave the tests after it on one thread.
    /// </remarks>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        using var threads = new TorchThreads();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>
    /// Runs <c>byola</c> in a child process with extra environment variables: for settings a process reads once, such
    /// as <c>ONEDNN_MAX_CPU_ISA</c> (oneDNN's widest instruction set), which an in-process run cannot change.
    /// </summary>
    public static (int Code, string Out, string Err) RunChild(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ByolA.Cli.dll"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var err = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, err.Result);
    }
}
