using System.CommandLine;
using ByolA.Runtime;

namespace ByolA.Cli.Commands;

/// <summary><c>byola runtime</c>: loads libtorch and reports what this build computes with.</summary>
public static class RuntimeCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("runtime",
            "Load libtorch and show what byola computes with: where libtorch comes from (this build's own, or the folder in " +
            $"{LibTorchFolder.EnvironmentVariable} for a -p:TorchBackend=external build), whether CUDA is available, and the device " +
            "after a small computation on it. Exit code 1 with the reason when libtorch cannot be loaded or does not match.");
        var compute = new ComputeOptions();
        command.Options.Add(compute.Device);
        command.Options.Add(compute.Threads);
        command.SetAction(parse => VerbRunner.Run(context, parse, ct =>
        {
            var device = compute.InitialiseTorch(parse);
            foreach (var (key, value) in TorchSetup.Describe(device)) context.Output.WriteLine($"{key}: {value}");
            return ExitCodes.Ok;
        }, compute.Names));
        return command;
    }
}
