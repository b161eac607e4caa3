using System.CommandLine;

namespace ByolA.Cli.Commands;

/// <summary><c>byola evaluate WEIGHTS TASK [UNIT_SEC] [REPEAT]</c>: linear-probe evaluation.</summary>
public static class EvaluateCommand
{
    public static Command Create(CliContext context)
    {
        var weights = new Argument<FileInfo>("weights") { Description = "Encoder weights (.pth state dict)." };
        var task = new Argument<string>("task") { Description = "Downstream task name (preprocessed with 'byola preprocess')." };
        var command = new Command("evaluate", "Embed a task's audio and train a linear classifier on the embeddings; print test accuracy.") { weights, task };
        var compute = new ComputeOptions().AddTo(command);
        command.SetAction(parse => VerbRunner.NotImplemented(context, "evaluate", 6));
        return command;
    }
}
