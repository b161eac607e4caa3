using System.CommandLine;

namespace ByolA.Cli.Commands;

/// <summary><c>byola preprocess TASK DATASET_ROOT</c>: metadata CSV and 16 kHz audio for a downstream task.</summary>
public static class PreprocessCommand
{
    public static Command Create(CliContext context)
    {
        var task = new Argument<string>("task") { Description = "Downstream task: spcv2, spcv2-12, spcv1, us8k, nsynth, vc1, voxforge, fsdnoisy18k." };
        var root = new Argument<DirectoryInfo>("dataset-root") { Description = "Folder holding the dataset as distributed." };
        var command = new Command("preprocess", "Write work/metadata/TASK.csv and convert the task's audio to work/16k/TASK.") { task, root };
        var compute = new ComputeOptions().AddTo(command);
        command.SetAction(parse => VerbRunner.NotImplemented(context, "preprocess", 6));
        return command;
    }
}
