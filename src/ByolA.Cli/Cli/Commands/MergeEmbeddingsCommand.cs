using ByolA.Embedding;
using System.CommandLine;

namespace ByolA.Cli.Commands;

/// <summary><c>byola merge-embeddings PARTS... --out FILE</c>: joins the .npz parts of a sharded embed run.</summary>
public static class MergeEmbeddingsCommand
{
    public static Command Create(CliContext context)
    {
        var parts = new Argument<string[]>("parts")
        {
            Description = "The .npz parts written by embed --shard K/N, in any order; all N must be given.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--out", "-o")
        {
            Description = "The merged file, exactly what the unsharded embed run writes: .npz, or for per-file embeddings .npy (with FILE.files.npy) or .csv.",
            HelpName = "FILE.npz|FILE.npy|FILE.csv",
            Required = true,
        };
        var command = new Command("merge-embeddings", "Join the .npz parts of a sharded embed run (embed --shard) into the output an unsharded run writes.")
        {
            parts, output,
        };
        command.SetAction(parse => VerbRunner.Run(context, parse, ct =>
        {
            var (written, shape) = EmbeddingMerger.Merge(parse.GetValue(parts) ?? [], parse.GetValue(output)!);
            context.Output.WriteLine($"merged {parse.GetValue(parts)!.Length} part(s): {string.Join(" × ", shape)} embeddings to {string.Join(", ", written)}");
            return ExitCodes.Ok;
        }, new FlagNames().Add("OutPath", output)));
        return command;
    }
}
