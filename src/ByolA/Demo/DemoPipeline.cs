using ByolA.Probe;
using ByolA.Weights;
using System.Diagnostics;
using System.Globalization;
using ByolA.Learning;
using ByolA.Models;
using ByolA.Progress;
using ByolA.Reports;
using ByolA.Tasks.Synthetic;
using TorchSharp;

namespace ByolA.Demo;

/// <summary>
/// <c>byola demo</c> as a library call: generate a labelled sound dataset, pretrain BYOL-A on its unlabelled
/// clips with <see cref="Trainer"/> for a fixed number of epochs, then run <see cref="LinearEvaluation"/> with the
/// pretrained encoder, a randomly initialised one and, when present, an official NTT file, and draw the loss curve and
/// the accuracies in OUT/demo.png (<see cref="DemoPlot"/>). Nothing is shortcut:
/// these are the code paths of train and evaluate. Everything is a function of the options (seed included), not of
/// the clock or the machine's load.
/// </summary>
public static class DemoPipeline
{
    const string TaskName = "demo-sounds";

    public static DemoReport Run(DemoOptions options, IProgressReporter? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        progress ??= NullProgressReporter.Instance;
        var device = options.Device ?? torch.CPU;
        var config = options.Config with { Seed = options.Seed, Epochs = options.Epochs };
        DemoFolder.Claim(options.OutDir, nameof(DemoOptions.OutDir));

        var data = GenerateData(options, progress, ct);

        var randomWeights = Path.Combine(options.OutDir, "random-init", $"AudioNTT2020-random-d{config.FeatureD}-rs{options.Seed}.pth");
        Directory.CreateDirectory(Path.GetDirectoryName(randomWeights)!);
        torch.random.manual_seed(options.Seed + 1);
        using (var encoder = Trainer.CreateEncoder(config)) EncoderWeights.Save(encoder, randomWeights);

        var checkpoints = Path.Combine(options.OutDir, "checkpoints");
        var clock = Stopwatch.StartNew();
        var trained = Trainer.Run(new TrainOptions
        {
            Config = config with { CheckpointFolder = checkpoints },
            Files = data.UnlabelledFiles,
            OutputDir = checkpoints,
            Device = device,
            Overwrite = true,   // the demo's own output folder: a rerun starts over
        }, progress, ct);
        var pretrainTime = clock.Elapsed;
        progress.Message(string.Format(CultureInfo.InvariantCulture, "pretraining: {0} epochs in {1:mm\\:ss}", options.Epochs, pretrainTime));

        var results = Path.Combine(options.OutDir, "results");
        var scoresCsv = Path.Combine(results, TaskName + "-scores.csv");
        // Each demo run appends a fresh set of rows; an earlier run's rows would otherwise pile up in the same file.
        if (File.Exists(scoresCsv)) File.Delete(scoresCsv);
        DemoScore Probe(string weights, string name)
        {
            var sw = Stopwatch.StartNew();
            var r = LinearEvaluation.Run(new EvaluateOptions
            {
                Weights = weights,
                Task = TaskName,
                MetadataPath = data.MetadataCsv,
                AudioDir = data.AudioDir,
                UnitSec = 1.0,
                Repeat = options.Repeat,
                Probe = new ProbeOptions { BatchSize = options.ProbeBatch },
                Seed = options.Seed,
                Config = config,
                Device = device,
                WorkRoot = Path.Combine(options.OutDir, "work"),
                ResultsDir = results,
                ModelName = name,
            }, progress, ct);
            return new DemoScore(name, r.Mean, r.Std, r.Accuracies.Count, sw.Elapsed);
        }

        var official = FindOfficialWeights(options.PretrainedWeightsDir);
        var scores = new List<DemoScore> { Probe(trained.WeightsPath, "byol-a-pretrained"), Probe(randomWeights, "random-init") };
        if (official != null) scores.Add(Probe(official, Path.GetFileNameWithoutExtension(official)));
        var picture = Path.Combine(options.OutDir, DemoPlot.FileName);
        DemoPlot.Write(trained.LogPath, scores.Select(s => new DemoPlot.Encoder(s.Encoder, s.MeanAccuracy, s.StdAccuracy, s.Runs)).ToList(), picture);
        return new DemoReport(scores, pretrainTime, options.Epochs, trained.WeightsPath, randomWeights, official,
            data.MetadataCsv, scoresCsv, trained.LogPath, picture);
    }

    /// <summary>Step 1 alone: writes the labelled and unlabelled clips and metadata.csv below OUT/data.</summary>
    public static SyntheticDatasetInfo GenerateData(DemoOptions options, IProgressReporter? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        progress ??= NullProgressReporter.Instance;
        DemoFolder.Claim(options.OutDir, nameof(DemoOptions.OutDir));
        var data = SyntheticDataset.Write(new SyntheticDatasetOptions
        {
            Folder = Path.Combine(options.OutDir, "data"),
            TrainPerClass = options.TrainPerClass,
            ValidPerClass = options.ValidPerClass,
            TestPerClass = options.TestPerClass,
            UnlabelledClips = options.UnlabelledClips,
            Seed = options.Seed,
            SampleRate = options.Config.SampleRate,
            BackgroundDb = options.BackgroundDb,
        }, progress, ct);
        progress.Message($"dataset: {data.Labels.Count} kinds of sound ({string.Join(", ", data.Labels)}), " +
                         $"{options.TrainPerClass}/{options.ValidPerClass}/{options.TestPerClass} labelled train/valid/test clips per kind, " +
                         $"{data.UnlabelledFiles.Count} unlabelled clips for pretraining" +
                         (options.BackgroundDb is var (lo, hi)
                             ? string.Create(CultureInfo.InvariantCulture, $"; each labelled clip mixed with another kind at {lo} to {hi} dB")
                             : ""));
        return data;
    }

    /// <summary>The first official NTT weight file in <paramref name="folder"/>, or null (no folder, no file).</summary>
    public static string? FindOfficialWeights(string? folder) =>
        folder == null ? null : DemoOptions.OfficialWeightNames.Select(n => Path.Combine(folder, n)).FirstOrDefault(File.Exists);
}
