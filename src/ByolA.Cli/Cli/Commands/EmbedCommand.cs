using System.CommandLine;

namespace ByolA.Cli.Commands;

/// <summary><c>byola embed WEIGHTS INPUT...</c>: one embedding row per audio file.</summary>
public static class EmbedCommand
{
    public static Command Create(CliContext context)
    {
        var weights = new Argument<FileInfo>("weights") { Description = "Encoder weights (.pth state dict)." };
        var inputs = new Argument<string[]>("inputs") { Description = "Audio files or folders (searched recursively for .wav).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("embed", "Compute BYOL-A embeddings for audio files.") { weights, inputs };
        var compute = new ComputeOptions().AddTo(command);
        command.SetAction(parse => VerbRunner.NotImplemented(context, "embed", 3));
        return command;
    }
}
