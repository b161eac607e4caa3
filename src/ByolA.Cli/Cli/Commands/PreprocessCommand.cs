using System.CommandLine;
using ByolA.Tasks;

namespace ByolA.Cli.Commands;

/// <summary><c>byola preprocess TASK DATASET_ROOT</c>: metadata CSV and 16 kHz audio for a downstream task.</summary>
public static class PreprocessCommand
{
    public static Command Create(CliContext context)
    {
        var task = new Argument<string>("task") { Description = $"Downstream task: {TaskRegistry.KnownNames}." };
        var root = new Argument<DirectoryInfo>("dataset-root") { Description = "Folder holding the dataset as distributed (e.g. speech_commands_v0.02, UrbanSound8K)." };
        var work = new Option<string>("--work") { Description = "Work folder: metadata goes to WORK/metadata/TASK.csv, audio to WORK/16k/TASK.", DefaultValueFactory = _ => "work", HelpName = "DIR" };
        var seed = new Option<int?>("--seed") { Description = "Seed of protocol splits drawn at random (fsdnoisy18k and as20k valid, voxforge speakers, cremad actors). Default: the config's seed (42).", HelpName = "N" };
        var splitCsv = new Option<FileInfo?>("--split-csv")
        {
            Description = "voxforge: CSV with a 'split' column and a 'speaker' or 'file_name' column fixing the split; cremad: CSV with 'actor' and 'split' columns (every actor).",
            HelpName = "FILE.csv",
        };
        var lists = new Option<DirectoryInfo?>("--lists")
        {
            Description = "gtzan only: folder holding the fault-filtered split lists train_filtered.txt, valid_filtered.txt, test_filtered.txt (default: DATASET_ROOT).",
            HelpName = "DIR",
        };
        var command = new Command("preprocess",
            "Write WORK/metadata/TASK.csv (file_name,label,split|fold) from the dataset's own lists, check the official counts " +
            "(differences are warnings), and convert the task's audio to 16 kHz mono 16-bit below WORK/16k/TASK. " +
            "Safe to rerun: files already converted are kept.")
        {
            task, root, work, seed, splitCsv, lists,
        };
        var compute = new ComputeOptions().AddTo(command);
        compute.Device.Description = "Where to resample: auto and cpu run convert-wav's managed filter on the CPU (no per-file GPU " +
                                     "round trips, the same output as convert-wav); cuda or cuda:N runs it as a torch conv1d on that GPU.";
        compute.ConfigFlag("seed", seed);
        var names = compute.Names.Add(nameof(PreprocessOptions.Task), task).Add(nameof(PreprocessOptions.DatasetRoot), root)
            .Add(nameof(PreprocessOptions.WorkRoot), work).Add(nameof(PreprocessOptions.SplitCsv), splitCsv)
            .Add(nameof(PreprocessOptions.ListsDir), lists)
            .Add(nameof(PreprocessOptions.Workers), compute.Threads);
        command.SetAction(parse => VerbRunner.Run(context, parse, ct =>
        {
            var config = compute.LoadConfig(parse);
            var options = new PreprocessOptions
            {
                Task = parse.GetValue(task)!,
                DatasetRoot = parse.GetValue(root)!.FullName,
                WorkRoot = parse.GetValue(work)!,
                SampleRate = config.SampleRate,
                Seed = config.Seed,
                SplitCsv = parse.GetValue(splitCsv)?.FullName,
                ListsDir = parse.GetValue(lists)?.FullName,
                Workers = parse.GetValue(compute.Threads) ?? Environment.ProcessorCount,
            }.Validate();
            // As convert-wav: only an explicit cuda loads libtorch; auto resamples on the CPU, where per-file uploads from
            // every worker would cost more than the filter and round differently by one LSB.
            if (compute.GetDevice(parse).IsCuda) options = options with { Device = compute.InitialiseTorch(parse) };
            var result = TaskPreprocessor.Run(options, context.CreateProgress(), ct);
            context.Output.WriteLine($"{result.Task}: {result.Rows} clips, {result.Classes} classes → {result.MetadataPath}");
            context.Output.WriteLine($"audio: {result.AudioDir} ({result.Converted} converted, {result.AlreadyConverted} already there" +
                                     (result.SlicesWritten > 0 ? $", {result.SlicesWritten} clips cut" : "") + ")");
            if (result.Warnings.Count > 0) context.Output.WriteLine($"{result.Warnings.Count} warning(s) about counts: see above");
            return ExitCodes.Ok;
        }, names));
        return command;
    }
}
