using System.CommandLine;
using ByolA.Finetune;
using ByolA.Probe;

namespace ByolA.Cli.Commands;

/// <summary><c>byola finetune WEIGHTS TASK [UNIT_SEC] [REPEAT]</c>: the encoder and a head trained end to end on a labelled task.</summary>
public static class FinetuneCommand
{
    public static Command Create(CliContext context)
    {
        var taskOptions = new TaskOptions("Fine-tuning",
            weights: "Encoder weights to start from (.pth state dict, v1 or v2).",
            work: "Work folder holding metadata/ and 16k/ (and finetune/TASK, the checkpoints).",
            hidden: "MLP head: hidden layer sizes, comma-separated (512, or 512,256). Default: a linear head.",
            saveModel: "Keep the fine-tuned classifier in FILE, in evaluate's classifier format (for 'byola classify' and ByolAClassifier.Load): " +
                       "run 0's for split tasks, one more fine-tuned on every fold for fold tasks.");
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 200, HelpName = "N" };
        var batch = new Option<int>("--batch") { Description = "Mini-batch size (min with the training set size).", DefaultValueFactory = _ => 256, HelpName = "N" };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate of the head (and of the encoder without --lr-encoder).", DefaultValueFactory = _ => 0.001, HelpName = "RATE" };
        var lrEncoder = new Option<double?>("--lr-encoder") { Description = "Peak learning rate of the encoder, e.g. smaller than the head's. Default: --lr.", HelpName = "RATE" };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd (momentum 0.9), adamw (weight decay 1e-4, betas 0.9/0.95, AMSGrad) or lars (momentum 0.9).", DefaultValueFactory = _ => "sgd", HelpName = "NAME" };
        var warmup = new Option<int>("--warmup") { Description = "Epochs of linear warm-up from 0 before the cosine decay to 1e-7.", DefaultValueFactory = _ => 5, HelpName = "N" };
        var freeze = new Option<bool>("--freeze-encoder") { Description = "Train the head only, on augmented inputs; the encoder (its BatchNorm statistics too) stays as loaded." };
        var mixup = new Option<double>("--mixup") { Description = "Mixup α of the waveforms and targets (λ ~ Beta(α, α) per clip); 0 turns mixup off.", DefaultValueFactory = _ => 0.5, HelpName = "ALPHA" };
        var freqMask = new Option<int>("--freq-mask") { Description = "SpecAugment: largest frequency mask in mel bins; 0 turns it off.", DefaultValueFactory = _ => 30, HelpName = "BINS" };
        var timeMask = new Option<int>("--time-mask") { Description = "SpecAugment: largest time mask in frames; 0 turns it off.", DefaultValueFactory = _ => 100, HelpName = "FRAMES" };
        var patience = new Option<int?>("--patience") { Description = "Early stopping: stop after N epochs without a better validation score (the best epoch is kept either way). Default: every epoch.", HelpName = "N" };
        var noCrop = new Option<bool>("--no-crop") { Description = "Turn RandomResizeCrop (virtual crop 1.0–1.5, frequency and time scales 0.6–1.5) off." };
        var checkpoints = new Option<string?>("--checkpoints") { Description = "Folder of the end-of-epoch checkpoints (runR.pth, runR-foldF.pth, written atomically). Default: WORK/finetune/TASK.", HelpName = "DIR" };
        var resume = new Option<bool>("--resume") { Description = "Continue each run from its checkpoint; refused when the checkpoint was written with other options." };
        var command = new Command("finetune",
            "Fine-tune the encoder with a linear or MLP head on a labelled task (mixup, SpecAugment, RandomResizeCrop, cosine schedule " +
            "with warm-up, best validation epoch kept; leave-one-fold-out for fold tasks); print the test score and append it to results/TASK-scores.csv.")
        {
            epochs, batch, lr, lrEncoder, optimizer, warmup, freeze, mixup, freqMask, timeMask, noCrop, patience, checkpoints, resume,
        };
        var compute = new ComputeOptions().AddTo(command);
        taskOptions.AddTo(command, compute);
        var tf32 = ComputeOptions.Tf32();
        command.Options.Add(tf32);
        var precision = ComputeOptions.Precision("Config key precision; default fp32. Recorded in the checkpoint; a resume in another precision says so.");
        command.Options.Add(precision);
        compute.ConfigFlag("precision", precision);
        var names = compute.Names.Add(nameof(EvaluateOptions.Tf32), tf32).Add(nameof(EvaluateOptions.Precision), precision)
            .Add(nameof(FinetuneRecipe.Epochs), epochs).Add(nameof(FinetuneRecipe.BatchSize), batch).Add(nameof(FinetuneRecipe.Lr), lr)
            .Add(nameof(FinetuneRecipe.LrEncoder), lrEncoder).Add(nameof(FinetuneRecipe.Optimizer), optimizer)
            .Add(nameof(FinetuneRecipe.WarmupEpochs), warmup).Add(nameof(FinetuneRecipe.FreezeEncoder), freeze)
            .Add(nameof(FinetuneRecipe.MixupAlpha), mixup).Add(nameof(FinetuneRecipe.FreqMask), freqMask).Add(nameof(FinetuneRecipe.TimeMask), timeMask)
            .Add(nameof(FinetuneRecipe.Patience), patience)
            .Add(nameof(FinetuneOptions.CheckpointDir), checkpoints).Add(nameof(FinetuneOptions.Resume), resume);
        command.SetAction(parse => VerbRunner.Run(context, parse, ct =>
        {
            var config = compute.LoadConfig(parse);
            var options = new FinetuneOptions
            {
                Task = taskOptions.Read(parse, config) with { UseCache = false, Precision = config.Precision, Tf32 = parse.GetValue(tf32) },
                Recipe = new FinetuneRecipe
                {
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batch),
                    Lr = parse.GetValue(lr),
                    LrEncoder = parse.GetValue(lrEncoder),
                    Optimizer = ParseOptimizer(parse.GetValue(optimizer)!),
                    WarmupEpochs = parse.GetValue(warmup),
                    Hidden = taskOptions.ReadHidden(parse),
                    FreezeEncoder = parse.GetValue(freeze),
                    MixupAlpha = parse.GetValue(mixup),
                    FreqMask = parse.GetValue(freqMask),
                    TimeMask = parse.GetValue(timeMask),
                    RandomCrop = !parse.GetValue(noCrop),
                    Patience = parse.GetValue(patience),
                },
                CheckpointDir = parse.GetValue(checkpoints) is { } cp ? Path.GetFullPath(cp) : null,
                Resume = parse.GetValue(resume),
            }.Validate();
            options = options with { Task = options.Task with { Device = compute.InitialiseTorch(parse) } };
            var result = Finetuning.Run(options, context.CreateProgress(), ct);
            TaskOptions.WriteResult(context.Output, result, $", {result.Head} head");
            return ExitCodes.Ok;
        }, names));
        return command;
    }

    static FinetuneOptimizer ParseOptimizer(string name) => name.ToLowerInvariant() switch
    {
        "sgd" => FinetuneOptimizer.Sgd,
        "adamw" => FinetuneOptimizer.AdamW,
        "lars" => FinetuneOptimizer.Lars,
        _ => throw OptionException.Invalid(nameof(FinetuneRecipe.Optimizer), $"'{name}' is not an optimiser; give sgd, adamw or lars"),
    };
}
