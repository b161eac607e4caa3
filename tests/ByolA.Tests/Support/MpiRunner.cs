using System.Diagnostics;

namespace ByolA.Tests.Support;

/// <summary>
/// Runs processes under Open MPI's <c>mpirun</c> (as root in containers, more ranks than cores allowed): the built CLI
/// (<see cref="Cli"/>) or this test assembly's own entry point (<see cref="Host"/>, see <c>DistributedTestHost</c>).
/// </summary>
public static class MpiRunner
{
    /// <summary>The mpirun on PATH, or null.</summary>
    public static string? Mpirun { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);

    /// <summary>mpirun's arguments that start one rank of the CLI with <paramref name="args"/>.</summary>
    public static string[] Cli(params string[] args) => ["dotnet", Path.Combine(AppContext.BaseDirectory, "ByolA.Cli.dll"), .. args];

    /// <summary>mpirun's arguments that start one rank of the test host with <paramref name="args"/>.</summary>
    public static string[] Host(params string[] args) => ["dotnet", Path.Combine(AppContext.BaseDirectory, "ByolA.Tests.dll"), DistributedHostVerb, .. args];

    public const string DistributedHostVerb = "distributed-test-host";

    /// <summary>
    /// <c>mpirun -np <paramref name="ranks"/> COMMAND</c> with <paramref name="environment"/> passed to every rank;
    /// <paramref name="command"/> may hold several ':'-separated app contexts. Killed (and reported as exit code −1)
    /// after <paramref name="limit"/>.
    /// </summary>
    public static (int Code, string Out, string Err, TimeSpan Took) Run(int ranks, IReadOnlyDictionary<string, string>? environment, TimeSpan limit, params string[] command)
    {
        var args = new List<string> { "--allow-run-as-root", "--oversubscribe", "--bind-to", "none" };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) args.AddRange(["-x", $"{name}={value}"]);
        if (ranks > 0) args.AddRange(["-np", ranks.ToString()]);
        args.AddRange(command);
        var start = new ProcessStartInfo(Mpirun ?? "mpirun", args)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var err = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, output.Result, err.Result, clock.Elapsed);
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result, err.Result, clock.Elapsed);
    }
}

/// <summary>A fact that needs Open MPI's mpirun; skipped with the reason when it is not on PATH.</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (MpiRunner.Mpirun is null)
            Skip = "needs Open MPI's mpirun on PATH (apt-get install openmpi-bin libopenmpi-dev; .ci/run installs it when it can)";
    }
}
