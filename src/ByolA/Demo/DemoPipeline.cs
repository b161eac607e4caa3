using System.Diagnostics;
using ByolA.Evaluation;
using ByolA.Learning;
using ByolA.Models;
using ByolA.Progress;
using ByolA.Tasks.Synthetic;
using TorchSharp;

namespace ByolA.Demo;

/// <summary>
/// <c>byola demo</c> as a library call: generate a labelled sound dataset, pretrain BYOL-A on its unlabelled
/// clips with <see cref="Trainer"/>, then run <see cref="LinearEvaluation"/> with the pretrained encoder and with a
/// randomly initialised one. Nothing is shortcut: these are the code paths of train and evaluate.
/// </summary>
public static class DemoPipeline
{
    const string TaskName = "demo-sounds";

    public static DemoReport Run(DemoOptions options, IProgressReporter? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        progress ??= NullProgressReporter.Instance;
        var device = options.Device ?? torch.CPU;
        var config = options.Config with { Seed = options.Seed };
        Directory.CreateDirectory(options.OutDir);

        var data = SyntheticDataset.Write(new SyntheticDatasetOptions
        {
            Folder = Path.Combine(options.OutDir, "data"),
            ClipsPerClass = options.ClipsPerClass,
            UnlabelledClips = options.UnlabelledClips,
            Seed = options.Seed,
            SampleRate = config.SampleRate,
        }, progress, ct);
        progress.Message($"dataset: {data.LabelledClips} labelled clips of {data.Labels.Count} kinds ({string.Join(", ", data.Labels)}), " +
                         $"{data.UnlabelledClips} unlabelled clips for pretraining");

        var randomWeights = Path.Combine(options.OutDir, "random-init", $"AudioNTT2020-random-d{config.FeatureD}-rs{options.Seed}.pth");
        Directory.CreateDirectory(Path.GetDirectoryName(randomWeights)!);
        torch.random.manual_seed(options.Seed + 1);
        using (var encoder = Trainer.CreateEncoder(config)) EncoderWeights.Save(encoder, randomWeights);

        // Pretrain one epoch, then resume from its checkpoint for as many epochs as the time budget allows.
        var checkpoints = Path.Combine(options.OutDir, "checkpoints");
        var clock = Stopwatch.StartNew();
        var first = Trainer.Run(TrainOptionsFor(config with { Epochs = 1 }, data, checkpoints, device, null), progress, ct);
        var perEpoch = clock.Elapsed;
        int epochs = Math.Max(1, (int)(TimeSpan.FromMinutes(options.Minutes) / perEpoch));
        var trained = epochs == 1 ? first
            : Trainer.Run(TrainOptionsFor(config with { Epochs = epochs }, data, checkpoints, device, first.CheckpointPath), progress, ct);
        var pretrainTime = clock.Elapsed;
        progress.Message($"pretraining: {epochs} epochs in {pretrainTime:mm\\:ss}, weights {trained.WeightsPath}");

        var results = Path.Combine(options.OutDir, "results");
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
                Seed = options.Seed,
                Config = config,
                Device = device,
                WorkRoot = Path.Combine(options.OutDir, "work"),
                ResultsDir = results,
                ModelName = name,
            }, progress, ct);
            return new DemoScore(name, r.Mean, r.Std, sw.Elapsed);
        }

        var pretrained = Probe(trained.WeightsPath, "byol-a-pretrained");
        var random = Probe(randomWeights, "random-init");
        return new DemoReport(pretrained, random, pretrainTime, epochs, trained.WeightsPath, randomWeights,
            data.MetadataCsv, results, trained.LogPath);
    }

    static TrainOptions TrainOptionsFor(Configuration.ByolAConfig config, SyntheticDatasetInfo data, string output,
        torch.Device device, string? resume) => new()
    {
        Config = config with { CheckpointFolder = output },
        AudioDir = data.UnlabelledDir,
        OutputDir = output,
        Device = device,
        ResumeFrom = resume,
        Overwrite = true,   // the demo's own output folder: a rerun starts over
    };
}
