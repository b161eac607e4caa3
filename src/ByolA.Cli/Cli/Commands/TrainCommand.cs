using System.CommandLine;

namespace ByolA.Cli.Commands;

/// <summary><c>byola train AUDIO_DIR</c>: BYOL-A pretraining (v1 or v2 recipe, chosen by the config).</summary>
public static class TrainCommand
{
    public static Command Create(CliContext context)
    {
        var audio = new Argument<DirectoryInfo>("audio-dir") { Description = "Folder of 16 kHz mono .wav files, searched recursively." };
        var command = new Command("train", "Pretrain an encoder with BYOL-A on unlabelled audio.") { audio };
        var compute = new ComputeOptions().AddTo(command);
        command.SetAction(parse => VerbRunner.NotImplemented(context, "train", 5));
        return command;
    }
}
