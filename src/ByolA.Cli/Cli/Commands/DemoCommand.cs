using System.CommandLine;

namespace ByolA.Cli.Commands;

/// <summary><c>byola demo</c>: the whole pipeline on a generated dataset, in a few minutes on CPU.</summary>
public static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("demo", "Generate a small labelled sound dataset, pretrain BYOL-A on it, and compare linear-probe accuracy of the pretrained and a random encoder.");
        var compute = new ComputeOptions().AddTo(command);
        command.SetAction(parse => VerbRunner.NotImplemented(context, "demo", 7));
        return command;
    }
}
