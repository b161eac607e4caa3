using System.CommandLine;
using System.Globalization;
using ByolA.Configuration;
using ByolA.Demo;

namespace ByolA.Cli.Commands;

/// <summary><c>byola demo</c>: the whole pipeline on a generated dataset, in a few minutes on CPU.</summary>
public static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var defaults = new DemoOptions();
        var outDir = new Option<string>("--out") { Description = "Folder for the generated data, checkpoints and results.", DefaultValueFactory = _ => defaults.OutDir, HelpName = "DIR" };
        var minutes = new Option<double>("--minutes") { Description = "Time budget for pretraining in minutes; the rest of the demo adds about a minute.", DefaultValueFactory = _ => defaults.Minutes, HelpName = "N" };
        var seed = new Option<int>("--seed") { Description = "Seed for data generation, training and the probe.", DefaultValueFactory = _ => defaults.Seed };
        var repeat = new Option<int>("--repeat") { Description = "Linear-probe runs per encoder (mean ± std reported).", DefaultValueFactory = _ => defaults.Repeat };
        var clips = new Option<int>("--clips-per-class") { Description = "Labelled clips per sound kind.", DefaultValueFactory = _ => defaults.ClipsPerClass, HelpName = "N" };
        var unlabelled = new Option<int>("--unlabelled") { Description = "Unlabelled clips generated for pretraining.", DefaultValueFactory = _ => defaults.UnlabelledClips, HelpName = "N" };
        var command = new Command("demo",
            "Generate a small labelled sound dataset (tones, chirps, noise bands, clicks, tremolo, buzz), pretrain BYOL-A on its " +
            "unlabelled clips, and compare linear-probe accuracy of the pretrained and a randomly initialised encoder. " +
            "Uses a CPU-sized v1 recipe (AudioNTT2020 d=512); --config/--set change it.")
        {
            outDir, minutes, seed, repeat, clips, unlabelled,
        };
        var compute = new ComputeOptions().AddTo(command);
        command.SetAction(parse => VerbRunner.Run(context, parse, ct =>
        {
            var config = parse.GetValue(compute.Config) is { Length: > 0 }
                ? compute.LoadConfig(parse)
                : ConfigLoader.ApplyOverrides(defaults.Config, parse.GetValue(compute.Set) ?? []).Validate("demo config");
            var device = compute.InitialiseTorch(parse);
            var options = new DemoOptions
            {
                OutDir = parse.GetValue(outDir)!,
                Minutes = parse.GetValue(minutes),
                Seed = parse.GetValue(seed),
                Repeat = parse.GetValue(repeat),
                ClipsPerClass = parse.GetValue(clips),
                UnlabelledClips = parse.GetValue(unlabelled),
                Config = config,
                Device = device,
            };
            var progress = context.CreateProgress();
            var report = DemoPipeline.Run(options, progress, ct);
            Print(context.Output, report);
            return report.Pretrained.MeanAccuracy > report.Random.MeanAccuracy ? ExitCodes.Ok : ExitCodes.Failure;
        }));
        return command;
    }

    static void Print(TextWriter o, DemoReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine();
        o.WriteLine($"BYOL-A demo: linear probe on {r.DatasetFolder}");
        o.WriteLine("| encoder            | accuracy (%)   | probe time |");
        o.WriteLine("|--------------------|----------------|------------|");
        foreach (var s in new[] { r.Pretrained, r.Random })
            o.WriteLine(string.Format(inv, "| {0,-18} | {1,6:0.00} ± {2,5:0.00} | {3,10:mm\\:ss} |", s.Encoder, 100 * s.MeanAccuracy, 100 * s.StdAccuracy, s.Elapsed));
        o.WriteLine(string.Format(inv, "pretraining: {0} epochs in {1:mm\\:ss}", r.PretrainEpochs, r.PretrainTime));
        o.WriteLine($"pretrained weights: {r.PretrainedWeights}");
        o.WriteLine($"random weights:     {r.RandomWeights}");
        o.WriteLine($"training log:       {r.TrainLog}");
        o.WriteLine($"scores CSV:         {r.ResultsFolder}");
        o.WriteLine(r.Pretrained.MeanAccuracy > r.Random.MeanAccuracy
            ? "The pretrained encoder beats the random one."
            : "The pretrained encoder did NOT beat the random one (try --minutes with a larger budget).");
    }
}
