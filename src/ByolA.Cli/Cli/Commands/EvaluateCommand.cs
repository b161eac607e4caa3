using ByolA.Probe;
using System.CommandLine;
using System.Globalization;
using ByolA.Reports;
using ByolA.Tasks;

namespace ByolA.Cli.Commands;

/// <summary><c>byola evaluate WEIGHTS TASK [UNIT_SEC] [REPEAT]</c>: linear-probe evaluation.</summary>
public static class EvaluateCommand
{
    public static Command Create(CliContext context)
    {
        var weights = new Argument<FileInfo>("weights") { Description = "Encoder weights (.pth state dict, v1 or v2; the architecture is read from the weights), or an .onnx model from 'byola export', embedded through ONNX Runtime." };
        var task = new Argument<string?>("task")
        {
            Description = $"Downstream task preprocessed with 'byola preprocess': {TaskRegistry.KnownNames}. " +
                          "With --metadata it only names your task (default: the metadata file's name).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var unitSec = new Argument<double?>("unit-sec")
        {
            Description = "Clip length in seconds. Default: the task's (spcv* 1.0, us8k/nsynth 4.0, vc1 8.2, voxforge 5.8, fsdnoisy18k 8.25, esc50 5.0, gtzan 30.0, cremad 2.5, fsd50k 7.6358, as20k 10.0), else the config's unit_sec.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var repeat = new Argument<int?>("repeat") { Description = "Classifier runs averaged into mean and std (default 1).", Arity = ArgumentArity.ZeroOrOne };
        var epochs = new Option<int>("--epochs") { Description = "Maximum classifier epochs.", DefaultValueFactory = _ => 200, HelpName = "N" };
        var lr = new Option<double>("--lr") { Description = "Classifier learning rate (Adam).", DefaultValueFactory = _ => 0.001, HelpName = "RATE" };
        var seed = new Option<int?>("--seed") { Description = "Seed of everything random (stats sample, crops, classifier); run r uses SEED+r. Default: the config's seed (42).", HelpName = "N" };
        var noEarly = new Option<bool>("--no-early-stopping") { Description = "Train all epochs and keep the last weights instead of stopping on validation accuracy (patience 10)." };
        var batch = new Option<int>("--batch") { Description = "Classifier mini-batch size (min with the training set size).", DefaultValueFactory = _ => 200, HelpName = "N" };
        var embedBatch = new Option<int>("--embed-batch") { Description = "Clips per encoder batch when embedding.", DefaultValueFactory = _ => 64, HelpName = "N" };
        var metadata = new Option<FileInfo?>("--metadata") { Description = "Your own task: CSV with file_name,label and split (train/valid/test) or fold columns.", HelpName = "FILE.csv" };
        var audioDir = new Option<DirectoryInfo?>("--audio-dir") { Description = "Your own task: folder the metadata's file names are relative to (16 kHz mono .wav).", HelpName = "DIR" };
        var work = new Option<string>("--work") { Description = "Work folder holding metadata/, 16k/ and the embedding cache.", DefaultValueFactory = _ => "work", HelpName = "DIR" };
        var results = new Option<string>("--results") { Description = "Folder of TASK-scores.csv.", DefaultValueFactory = _ => "results", HelpName = "DIR" };
        var hidden = new Option<string?>("--hidden")
        {
            Description = "MLP probe: hidden layer sizes, comma-separated (512, or 512,256); each Linear → ReLU → Dropout 0.5, then the output layer. " +
                          "Default: the linear probe. The scores file records the head (linear, mlp512, mlp512-256).",
            HelpName = "H[,H…]",
        };
        var saveModel = new Option<string?>("--save-model")
        {
            Description = "Keep the trained classifier in FILE (one file: a copy of the encoder weights, the normalisation stats, scaler, head, " +
                          "class names, task kind, unit_sec) for 'byola classify' and ByolAClassifier.Load. Split tasks keep run 0's classifier " +
                          "(its test score is the first run's); fold tasks one more trained on every fold.",
            HelpName = "FILE",
        };
        var noCache = new Option<bool>("--no-cache") { Description = "Recompute embeddings and do not store them (by default they are cached per weights, task and unit_sec)." };
        var command = new Command("evaluate",
            "Embed a task's audio with frozen encoder weights and train a linear classifier (or an MLP, --hidden) on the embeddings; print the test " +
            "accuracy — or mAP and ROC AUC for a multi-label task (a label cell \"a,b\") — as mean and std over REPEAT runs and append it to " +
            "results/TASK-scores.csv; --save-model keeps the classifier for 'byola classify'.")
        {
            weights, task, unitSec, repeat, epochs, lr, seed, noEarly, batch, hidden, embedBatch, metadata, audioDir, work, results, saveModel, noCache,
        };
        var compute = new ComputeOptions().AddTo(command);
        var tf32 = ComputeOptions.Tf32();
        command.Options.Add(tf32);
        var precision = ComputeOptions.Precision("What the encoder embeds in (default fp32 whatever the config trains in); the embedding cache keeps precisions apart.");
        command.Options.Add(precision);
        compute.ConfigFlag("seed", seed);
        var names = compute.Names.Add(nameof(EvaluateOptions.Tf32), tf32).Add(nameof(EvaluateOptions.Precision), precision).Add(nameof(EvaluateOptions.Weights), weights).Add(nameof(EvaluateOptions.Task), task)
            .Add(nameof(EvaluateOptions.UnitSec), unitSec).Add(nameof(EvaluateOptions.Repeat), repeat)
            .Add(nameof(ProbeOptions.Epochs), epochs).Add(nameof(ProbeOptions.Lr), lr).Add(nameof(ProbeOptions.BatchSize), batch)
            .Add(nameof(ProbeOptions.Hidden), hidden).Add(nameof(EvaluateOptions.SaveModel), saveModel)
            .Add(nameof(EvaluateOptions.EmbedBatch), embedBatch).Add(nameof(EvaluateOptions.MetadataPath), metadata)
            .Add(nameof(EvaluateOptions.AudioDir), audioDir).Add(nameof(EvaluateOptions.WorkRoot), work);
        command.SetAction(parse => VerbRunner.Run(context, parse, ct =>
        {
            var config = compute.LoadConfig(parse);
            var options = new EvaluateOptions
            {
                Weights = parse.GetValue(weights)!.FullName,
                Task = parse.GetValue(task),
                MetadataPath = parse.GetValue(metadata)?.FullName,
                AudioDir = parse.GetValue(audioDir)?.FullName,
                UnitSec = parse.GetValue(unitSec),
                Repeat = parse.GetValue(repeat) ?? 1,
                Probe = new ProbeOptions
                {
                    Epochs = parse.GetValue(epochs),
                    Lr = parse.GetValue(lr),
                    BatchSize = parse.GetValue(batch),
                    EarlyStopping = !parse.GetValue(noEarly),
                    Hidden = ParseHidden(parse.GetValue(hidden)),
                },
                Seed = config.Seed,
                Config = config,
                EmbedBatch = parse.GetValue(embedBatch),
                WorkRoot = parse.GetValue(work)!,
                ResultsDir = parse.GetValue(results),
                UseCache = !parse.GetValue(noCache),
                SaveModel = parse.GetValue(saveModel) is { } save ? Path.GetFullPath(save) : null,
                Tf32 = parse.GetValue(tf32),
                Precision = ComputeOptions.ParsePrecision(parse, precision),
            }.Validate();
            options = options with { Device = compute.InitialiseTorch(parse) };
            var result = LinearEvaluation.Run(options, context.CreateProgress(), ct);
            var runs = string.Join(" ", result.Accuracies.Select(a => (a * 100).ToString("0.00", CultureInfo.InvariantCulture)));
            bool mAP = result.Metric != ScoresCsv.Accuracy;
            string headNote = result.Head == ScoresCsv.LinearHead ? "" : $", {result.Head} probe";
            string scoreText = mAP
                ? string.Create(CultureInfo.InvariantCulture, $"mAP {result.Mean * 100:0.00} ± {result.Std * 100:0.00}, ROC AUC {result.Aucs.Average() * 100:0.00}")
                : string.Create(CultureInfo.InvariantCulture, $"{result.Mean * 100:0.00}% ± {result.Std * 100:0.00}");
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Task}: {scoreText} over {result.Accuracies.Count} run(s) [{runs}] — {result.ModelName}{headNote}, unit {result.UnitSec:0.###} s"));
            if ((result.PerClass?.Worst(3) ?? result.PerClassRanking?.Worst(3)) is { Count: > 0 } worst)
                context.Output.WriteLine("worst classes: " + string.Join(", ", worst.Select(w =>
                    mAP ? string.Create(CultureInfo.InvariantCulture, $"{w.Class} AP {w.Mean * 100:0.00}")
                        : string.Create(CultureInfo.InvariantCulture, $"{w.Class} {w.Mean * 100:0.00}%"))));
            if (result.ResultsPath != null) context.Output.WriteLine($"appended to {result.ResultsPath}");
            if (result.PerClassPath != null) context.Output.WriteLine($"per-class {(mAP ? "AP and AUC" : "accuracy")}: {result.PerClassPath}");
            if (result.ConfusionPath != null) context.Output.WriteLine($"confusion matrix:   {result.ConfusionPath}");
            if (result.SavedModelPath != null) context.Output.WriteLine($"classifier:         {result.SavedModelPath}");
            return ExitCodes.Ok;
        }, names));
        return command;
    }

    /// <summary><c>512</c> or <c>512,256</c> → hidden sizes; empty or absent → none (the linear probe).</summary>
    internal static IReadOnlyList<int> ParseHidden(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var sizes = new List<int>();
        foreach (var part in text.Split(','))
        {
            if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size <= 0)
                throw OptionException.Invalid(nameof(ProbeOptions.Hidden),
                    $"'{text}' is not a list of layer sizes; give whole numbers > 0 separated by commas, e.g. 512 or 512,256");
            sizes.Add(size);
        }
        return sizes;
    }
}
