using System.CommandLine;

namespace ByolA.Cli.Commands;

/// <summary><c>byola convert-wav FROM TO</c>: mono, resampled, 16-bit copies of every .wav below FROM.</summary>
public static class ConvertWavCommand
{
    public static Command Create(CliContext context)
    {
        var from = new Argument<DirectoryInfo>("from") { Description = "Source folder, searched recursively for .wav files." };
        var to = new Argument<DirectoryInfo>("to") { Description = "Destination folder (same relative paths); must not be inside FROM." };
        var command = new Command("convert-wav", "Convert every .wav below FROM to mono 16-bit PCM at the config's sample rate, below TO.") { from, to };
        var compute = new ComputeOptions().AddTo(command);
        command.SetAction(parse => VerbRunner.NotImplemented(context, "convert-wav", 4));
        return command;
    }
}
