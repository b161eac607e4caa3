using System.CommandLine;
using System.Globalization;
using ByolA.Configuration;
using ByolA.Demo;
using ByolA.Progress;

namespace ByolA.Cli.Commands;

/// <summary><c>byola demo</c>: the whole pipeline on a generated dataset, in a few minutes on CPU.</summary>
public static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var defaults = new DemoOptions();
        var outDir = new Option<string>("--out") { Description = "Folder for the generated data, checkpoints and results.", DefaultValueFactory = _ => defaults.OutDir, HelpName = "DIR" };
        var epochs = new Option<int>("--epochs") { Description = "Pretraining epochs over the unlabelled clips (the default takes about 3 minutes on 2 idle CPU cores).", DefaultValueFactory = _ => defaults.Epochs, HelpName = "N" };
        var seed = new Option<int>("--seed") { Description = "Seed for data generation, training and the probe: one seed gives identical files and scores.", DefaultValueFactory = _ => defaults.Seed };
        var repeat = new Option<int>("--repeat") { Description = "Linear-probe runs per encoder (mean ± std reported).", DefaultValueFactory = _ => defaults.Repeat };
        var probeBatch = new Option<int>("--probe-batch") { Description = "Mini-batch of the linear probe (evaluate's --batch).", DefaultValueFactory = _ => defaults.ProbeBatch, HelpName = "N" };
        var train = new Option<int>("--train-per-class") { Description = "Labelled training clips per kind of sound for the linear probe.", DefaultValueFactory = _ => defaults.TrainPerClass, HelpName = "N" };
        var test = new Option<int>("--test-per-class") { Description = "Test clips per kind of sound (validation clips: --valid-per-class).", DefaultValueFactory = _ => defaults.TestPerClass, HelpName = "N" };
        var valid = new Option<int>("--valid-per-class") { Description = "Validation clips per kind of sound (early stopping of the probe).", DefaultValueFactory = _ => defaults.ValidPerClass, HelpName = "N" };
        var unlabelled = new Option<int>("--unlabelled") { Description = "Unlabelled clips generated for pretraining.", DefaultValueFactory = _ => defaults.UnlabelledClips, HelpName = "N" };
        var background = new Option<string?>("--background-db") { Description = "Mix every labelled clip with a sound of another kind at an RMS level drawn from LO..HI dB relative to it; 'none' for clean clips.", DefaultValueFactory = _ => Format(defaults.BackgroundDb), HelpName = "LO,HI" };
        var dataOnly = new Option<bool>("--data-only") { Description = "Only generate the dataset (OUT/data: audio/, unlabelled/, metadata.csv) and stop; use it with train and evaluate." };
        var command = new Command("demo",
            "Generate a labelled sound dataset (tones, chirps, noise bands, clicks, tremolo, buzz; random pitch, level and timing; " +
            "each labelled clip mixed with a quieter sound of another kind), " +
            "pretrain BYOL-A on its unlabelled clips, and compare linear-probe " +
            "accuracy of the pretrained encoder, a randomly initialised one and, if pretrained_weights/ holds an official file, " +
            "that file. Uses a CPU-sized v1 recipe (AudioNTT2020 d=512); --config/--set change it.")
        {
            outDir, epochs, seed, repeat, probeBatch, train, valid, test, unlabelled, background, dataOnly,
        };
        var compute = new ComputeOptions().AddTo(command);
        var precision = ComputeOptions.Precision("Pretraining's precision (config precision; default fp32); the probes embed in fp32.");
        command.Options.Add(precision);
        compute.ConfigFlag("precision", precision);
        var names = compute.Names.Add(nameof(DemoOptions.OutDir), outDir).Add(nameof(DemoOptions.Epochs), epochs)
            .Add(nameof(DemoOptions.Repeat), repeat).Add(nameof(DemoOptions.ProbeBatch), probeBatch).Add(nameof(DemoOptions.TrainPerClass), train).Add(nameof(DemoOptions.ValidPerClass), valid)
            .Add(nameof(DemoOptions.TestPerClass), test).Add(nameof(DemoOptions.UnlabelledClips), unlabelled)
            .Add(nameof(DemoOptions.BackgroundDb), background);
        command.SetAction(parse => VerbRunner.Run(context, parse, ct =>
        {
            var config = compute.LoadConfig(parse, fallback: (defaults.Config, "demo config"));
            var options = new DemoOptions
            {
                OutDir = parse.GetValue(outDir)!,
                Epochs = parse.GetValue(epochs),
                Seed = parse.GetValue(seed),
                Repeat = parse.GetValue(repeat),
                ProbeBatch = parse.GetValue(probeBatch),
                TrainPerClass = parse.GetValue(train),
                ValidPerClass = parse.GetValue(valid),
                TestPerClass = parse.GetValue(test),
                UnlabelledClips = parse.GetValue(unlabelled),
                BackgroundDb = parse.GetValue(background) is { } b ? ParseBackground(b) : defaults.BackgroundDb,
                Config = config,
            }.Validate();
            var progress = context.CreateProgress();
            if (parse.GetValue(dataOnly))
            {
                var data = DemoPipeline.GenerateData(options, progress, ct);
                context.Output.WriteLine($"dataset: {DisplayPath.For(data.MetadataCsv)} (labelled audio below {DisplayPath.For(data.AudioDir)}), " +
                                         $"unlabelled clips below {DisplayPath.For(data.UnlabelledDir)}");
                return ExitCodes.Ok;
            }
            options = options with { Device = compute.InitialiseTorch(parse) };
            var report = DemoPipeline.Run(options, progress, ct);
            Print(context.Output, report);
            return report.MarginPoints > 0 ? ExitCodes.Ok : ExitCodes.Failure;
        }, names));
        return command;
    }

    /// <summary>Only the syntax (two numbers, or none); <see cref="DemoOptions.Validate"/> owns the range.</summary>
    static (double, double)? ParseBackground(string text)
    {
        if (text.Equals("none", StringComparison.OrdinalIgnoreCase)) return null;
        var parts = text.Split(',');
        if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var lo) &&
            double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var hi))
            return (lo, hi);
        throw new UsageException($"--background-db: expected LO,HI in dB (e.g. -9,-3) or 'none', got '{text}'");
    }

    static string Format((double Low, double High)? range) =>
        range is var (lo, hi) ? string.Create(CultureInfo.InvariantCulture, $"{lo},{hi}") : "none";

    /// <summary>Files first, then the table and the verdict last: the lines a reader of a log looks for.</summary>
    static void Print(TextWriter o, DemoReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine();
        o.WriteLine($"dataset:            {DisplayPath.For(r.MetadataCsv)}");
        o.WriteLine($"pretrained weights: {DisplayPath.For(r.PretrainedWeights)}");
        o.WriteLine($"random weights:     {DisplayPath.For(r.RandomWeights)}");
        if (r.OfficialWeights != null) o.WriteLine($"official weights:   {DisplayPath.For(r.OfficialWeights)}");
        o.WriteLine($"training log:       {DisplayPath.For(r.TrainLog)}");
        o.WriteLine($"scores CSV:         {DisplayPath.For(r.ScoresCsv)}");
        o.WriteLine($"picture:            {DisplayPath.For(r.Picture)}");
        o.WriteLine(string.Format(inv, "time: pretraining {0} epochs {1:mm\\:ss}, probes {2}", r.PretrainEpochs, r.PretrainTime,
            string.Join(", ", r.Scores.Select(s => string.Format(inv, "{0} {1:mm\\:ss}", s.Encoder, s.Elapsed)))));
        o.WriteLine();
        int width = Math.Max(18, r.Scores.Max(s => s.Encoder.Length));
        o.WriteLine($"| {"encoder".PadRight(width)} | accuracy (%)   |");
        o.WriteLine($"|{new string('-', width + 2)}|----------------|");
        foreach (var s in r.Scores)
            o.WriteLine(string.Format(inv, "| {0} | {1,6:0.00} ± {2,5:0.00} |", s.Encoder.PadRight(width), 100 * s.MeanAccuracy, 100 * s.StdAccuracy));
        o.WriteLine(r.MarginPoints > 0
            ? string.Format(inv, "BYOL-A pretraining beat the random encoder by {0:0.00} points of accuracy ({1} probe runs each).", r.MarginPoints, r.Pretrained.Runs)
            : string.Format(inv, "BYOL-A pretraining did NOT beat the random encoder ({0:0.00} points); try more --epochs.", r.MarginPoints));
    }
}
