using System.CommandLine;
using System.Globalization;
using ByolA.Probe;
using ByolA.Runtime;

namespace ByolA.Cli.Commands;

/// <summary><c>byola classify CLASSIFIER AUDIO...</c>: top labels of new audio from a classifier saved by evaluate.</summary>
public static class ClassifyCommand
{
    public static Command Create(CliContext context)
    {
        var classifier = new Argument<string>("classifier") { Description = "A classifier file written by 'byola evaluate ... --save-model FILE'." };
        var inputs = new Argument<string[]>("audio")
        {
            Description = "Audio files or folders (searched recursively for audio files), mono at the classifier's sample rate (16 kHz; 'byola convert-wav' converts others).",
            Arity = ArgumentArity.OneOrMore,
        };
        var top = new Option<int>("--top") { Description = "Labels shown per file (or window), highest probability first.", DefaultValueFactory = _ => 5, HelpName = "K" };
        var output = new Option<string?>("--out")
        {
            Description = "Also write every file's top labels to a .csv (file,start_sec,end_sec,rank,label,probability) or .json file.",
            HelpName = "FILE.csv|FILE.json",
        };
        var timestamps = new Option<bool>("--timestamps")
        {
            Description = "Classify long recordings window by window: windows of the classifier's unit_sec, every --hop seconds, the last one ending with the file.",
        };
        var hop = new Option<double?>("--hop") { Description = "Seconds between window starts with --timestamps (default: the unit_sec, windows side by side).", HelpName = "SEC" };
        var compute = new ComputeOptions();
        var command = new Command("classify",
            "Label audio with a classifier saved by 'byola evaluate --save-model': each file is fitted to the classifier's unit_sec " +
            "(zero-padded, or cropped at the centre), embedded with the encoder inside the file, and scored — softmax probabilities " +
            "for a single-label task, one sigmoid per class for a multi-label task.")
        {
            classifier, inputs, top, output, timestamps, hop, compute.Device, compute.Threads,
        };
        var names = compute.Names.Add(nameof(ClassifyOptions.ClassifierPath), classifier).Add(nameof(ClassifyOptions.Inputs), inputs)
            .Add(nameof(ClassifyOptions.Top), top).Add(nameof(ClassifyOptions.OutPath), output)
            .Add(nameof(ClassifyOptions.Timestamps), timestamps).Add(nameof(ClassifyOptions.HopSec), hop);
        command.SetAction(parse => VerbRunner.Run(context, parse, ct =>
        {
            ResourceLimits.RequireThreads(TorchSetup.ThreadsOption, parse.GetValue(compute.Threads));
            var options = new ClassifyOptions
            {
                ClassifierPath = parse.GetValue(classifier)!,
                Inputs = parse.GetValue(inputs) ?? [],
                Top = parse.GetValue(top),
                OutPath = parse.GetValue(output),
                Timestamps = parse.GetValue(timestamps),
                HopSec = parse.GetValue(hop),
                Device = compute.GetDevice(parse),
            }.Validate();
            options = options with { TorchDevice = compute.InitialiseTorch(parse) };
            var result = ClassifyJob.Run(options, context.CreateProgress(), ct);
            foreach (var item in result.Items)
            {
                string where = item.StartSec is { } s ? string.Create(CultureInfo.InvariantCulture, $" [{s:0.###}–{item.EndSec:0.###} s]") : "";
                context.Output.WriteLine($"{item.File}{where}: " + string.Join(", ", item.Labels.Select(l =>
                    string.Create(CultureInfo.InvariantCulture, $"{l.Label} {l.Score:0.000}"))));
            }
            if (result.OutPath != null) context.Output.WriteLine($"wrote {result.OutPath}");
            return ExitCodes.Ok;
        }, names));
        return command;
    }
}
