using System.CommandLine;
using System.Globalization;
using ByolA.Finetune;
using ByolA.Probe;
using ByolA.Reports;
using ByolA.Tasks;

namespace ByolA.Cli.Commands;

/// <summary><c>byola finetune WEIGHTS TASK [UNIT_SEC] [REPEAT]</c>: the encoder and a head trained end to end on a labelled task.</summary>
public static class FinetuneCommand
{
    public static Command Create(CliContext context)
    {
        var weights = new Argument<FileInfo>("weights") { Description = "Encoder weights to start from (.pth state dict, v1 or v2)." };
        var task = new Argument<string?>("task")
        {
            Description = $"Downstream task preprocessed with 'byola preprocess': {TaskRegistry.KnownNames}. With --metadata it only names your task.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var unitSec = new Argument<double?>("unit-sec") { Description = "Clip length in seconds. Default: the task's, else the config's unit_sec.", Arity = ArgumentArity.ZeroOrOne };
        var repeat = new Argument<int?>("repeat") { Description = "Fine-tuning runs (seeds SEED, SEED+1, …) averaged into mean and std (default 1).", Arity = ArgumentArity.ZeroOrOne };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 200, HelpName = "N" };
        var batch = new Option<int>("--batch") { Description = "Mini-batch size (min with the training set size).", DefaultValueFactory = _ => 256, HelpName = "N" };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate of the head (and of the encoder without --lr-encoder).", DefaultValueFactory = _ => 0.001, HelpName = "RATE" };
        var lrEncoder = new Option<double?>("--lr-encoder") { Description = "Peak learning rate of the encoder, e.g. smaller than the head's. Default: --lr.", HelpName = "RATE" };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd (momentum 0.9), adamw (weight decay 1e-4, betas 0.9/0.95, AMSGrad) or lars (momentum 0.9).", DefaultValueFactory = _ => "sgd", HelpName = "NAME" };
        var warmup = new Option<int>("--warmup") { Description = "Epochs of linear warm-up from 0 before the cosine decay to 1e-7.", DefaultValueFactory = _ => 5, HelpName = "N" };
        var hidden = new Option<string?>("--hidden") { Description = "MLP head: hidden layer sizes, comma-separated (512, or 512,256). Default: a linear head.", HelpName = "H[,H…]" };
        var freeze = new Option<bool>("--freeze-encoder") { Description = "Train the head only, on augmented inputs; the encoder (its BatchNorm statistics too) stays as loaded." };
        var mixup = new Option<double>("--mixup") { Description = "Mixup α of the waveforms and targets (λ ~ Beta(α, α) per clip); 0 turns mixup off.", DefaultValueFactory = _ => 0.5, HelpName = "ALPHA" };
        var freqMask = new Option<int>("--freq-mask") { Description = "SpecAugment: largest frequency mask in mel bins; 0 turns it off.", DefaultValueFactory = _ => 30, HelpName = "BINS" };
        var timeMask = new Option<int>("--time-mask") { Description = "SpecAugment: largest time mask in frames; 0 turns it off.", DefaultValueFactory = _ => 100, HelpName = "FRAMES" };
        var noCrop = new Option<bool>("--no-crop") { Description = "Turn RandomResizeCrop (virtual crop 1.0–1.5, frequency and time scales 0.6–1.5) off." };
        var seed = new Option<int?>("--seed") { Description = "Seed of everything random; run r uses SEED+r. Default: the config's seed (42).", HelpName = "N" };
        var metadata = new Option<FileInfo?>("--metadata") { Description = "Your own task: CSV with file_name,label,split (train/valid/test).", HelpName = "FILE.csv" };
        var audioDir = new Option<DirectoryInfo?>("--audio-dir") { Description = "Your own task: folder the metadata's file names are relative to.", HelpName = "DIR" };
        var work = new Option<string>("--work") { Description = "Work folder holding metadata/ and 16k/.", DefaultValueFactory = _ => "work", HelpName = "DIR" };
        var results = new Option<string>("--results") { Description = "Folder of TASK-scores.csv (the model column reads 'MODEL finetune').", DefaultValueFactory = _ => "results", HelpName = "DIR" };
        var saveModel = new Option<string?>("--save-model") { Description = "Keep run 0's fine-tuned classifier in FILE, in evaluate's classifier format (for 'byola classify' and ByolAClassifier.Load).", HelpName = "FILE" };
        var checkpoints = new Option<string?>("--checkpoints") { Description = "Folder of the end-of-epoch checkpoints (runR.pth, written atomically). Default: WORK/finetune/TASK.", HelpName = "DIR" };
        var resume = new Option<bool>("--resume") { Description = "Continue each run from its checkpoint; refused when the checkpoint was written with other options." };
        var command = new Command("finetune",
            "Fine-tune the encoder with a linear or MLP head on a labelled task (mixup, SpecAugment, RandomResizeCrop, cosine schedule " +
            "with warm-up, best validation epoch kept); print the test score and append it to results/TASK-scores.csv.")
        {
            weights, task, unitSec, repeat, epochs, batch, lr, lrEncoder, optimizer, warmup, hidden, freeze, mixup, freqMask, timeMask, noCrop, seed,
            metadata, audioDir, work, results, saveModel, checkpoints, resume,
        };
        var compute = new ComputeOptions().AddTo(command);
        compute.ConfigFlag("seed", seed);
        var names = compute.Names.Add(nameof(EvaluateOptions.Weights), weights).Add(nameof(EvaluateOptions.Task), task)
            .Add(nameof(EvaluateOptions.UnitSec), unitSec).Add(nameof(EvaluateOptions.Repeat), repeat)
            .Add(nameof(FinetuneOptions.Epochs), epochs).Add(nameof(FinetuneOptions.BatchSize), batch).Add(nameof(FinetuneOptions.Lr), lr)
            .Add(nameof(FinetuneOptions.LrEncoder), lrEncoder).Add(nameof(FinetuneOptions.Optimizer), optimizer)
            .Add(nameof(FinetuneOptions.WarmupEpochs), warmup).Add(nameof(FinetuneOptions.Hidden), hidden)
            .Add(nameof(FinetuneOptions.FreezeEncoder), freeze).Add(nameof(FinetuneOptions.MixupAlpha), mixup)
            .Add(nameof(FinetuneOptions.FreqMask), freqMask).Add(nameof(FinetuneOptions.TimeMask), timeMask)
            .Add(nameof(EvaluateOptions.SaveModel), saveModel).Add(nameof(EvaluateOptions.MetadataPath), metadata)
            .Add(nameof(EvaluateOptions.AudioDir), audioDir).Add(nameof(EvaluateOptions.WorkRoot), work)
            .Add(nameof(FinetuneOptions.CheckpointDir), checkpoints).Add(nameof(FinetuneOptions.Resume), resume);
        command.SetAction(parse => VerbRunner.Run(context, parse, ct =>
        {
            var config = compute.LoadConfig(parse);
            var options = new FinetuneOptions
            {
                Task = new EvaluateOptions
                {
                    Weights = parse.GetValue(weights)!.FullName,
                    Task = parse.GetValue(task),
                    MetadataPath = parse.GetValue(metadata)?.FullName,
                    AudioDir = parse.GetValue(audioDir)?.FullName,
                    UnitSec = parse.GetValue(unitSec),
                    Repeat = parse.GetValue(repeat) ?? 1,
                    Seed = config.Seed,
                    Config = config,
                    WorkRoot = parse.GetValue(work)!,
                    ResultsDir = parse.GetValue(results),
                    UseCache = false,
                    SaveModel = parse.GetValue(saveModel) is { } save ? Path.GetFullPath(save) : null,
                },
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batch),
                Lr = parse.GetValue(lr),
                LrEncoder = parse.GetValue(lrEncoder),
                Optimizer = ParseOptimizer(parse.GetValue(optimizer)!),
                WarmupEpochs = parse.GetValue(warmup),
                Hidden = EvaluateCommand.ParseHidden(parse.GetValue(hidden)),
                FreezeEncoder = parse.GetValue(freeze),
                MixupAlpha = parse.GetValue(mixup),
                FreqMask = parse.GetValue(freqMask),
                TimeMask = parse.GetValue(timeMask),
                RandomCrop = !parse.GetValue(noCrop),
                CheckpointDir = parse.GetValue(checkpoints) is { } cp ? Path.GetFullPath(cp) : null,
                Resume = parse.GetValue(resume),
            }.Validate();
            options = options with { Task = options.Task with { Device = compute.InitialiseTorch(parse) } };
            var result = Finetuning.Run(options, context.CreateProgress(), ct);
            var runs = string.Join(" ", result.Accuracies.Select(a => (a * 100).ToString("0.00", CultureInfo.InvariantCulture)));
            bool mAP = result.Metric != ScoresCsv.Accuracy;
            string scoreText = mAP
                ? string.Create(CultureInfo.InvariantCulture, $"mAP {result.Mean * 100:0.00} ± {result.Std * 100:0.00}, ROC AUC {result.Aucs.Average() * 100:0.00}")
                : string.Create(CultureInfo.InvariantCulture, $"{result.Mean * 100:0.00}% ± {result.Std * 100:0.00}");
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Task}: {scoreText} over {result.Accuracies.Count} run(s) [{runs}] — {result.ModelName}, {result.Head} head, unit {result.UnitSec:0.###} s"));
            if (result.ResultsPath != null) context.Output.WriteLine($"appended to {result.ResultsPath}");
            if (result.PerClassPath != null) context.Output.WriteLine($"per-class scores:   {result.PerClassPath}");
            if (result.ConfusionPath != null) context.Output.WriteLine($"confusion matrix:   {result.ConfusionPath}");
            if (result.SavedModelPath != null) context.Output.WriteLine($"classifier:         {result.SavedModelPath}");
            return ExitCodes.Ok;
        }, names));
        return command;
    }

    static FinetuneOptimizer ParseOptimizer(string name) => name.ToLowerInvariant() switch
    {
        "sgd" => FinetuneOptimizer.Sgd,
        "adamw" => FinetuneOptimizer.AdamW,
        "lars" => FinetuneOptimizer.Lars,
        _ => throw OptionException.Invalid(nameof(FinetuneOptions.Optimizer), $"'{name}' is not an optimiser; give sgd, adamw or lars"),
    };
}
