using ByolA.Probe;
using System.CommandLine;
using ByolA.Reports;

namespace ByolA.Cli.Commands;

/// <summary><c>byola evaluate WEIGHTS TASK [UNIT_SEC] [REPEAT]</c>: linear-probe evaluation.</summary>
public static class EvaluateCommand
{
    public static Command Create(CliContext context)
    {
        var taskOptions = new TaskOptions("Classifier",
            weights: "Encoder weights (.pth state dict, v1 or v2; the architecture is read from the weights), or an .onnx model from 'byola export', embedded through ONNX Runtime.",
            work: "Work folder holding metadata/, 16k/ and the embedding cache.",
            hidden: "MLP probe: hidden layer sizes, comma-separated (512, or 512,256); each Linear → ReLU → Dropout 0.5, then the output layer. " +
                    "Default: the linear probe. The scores file records the head (linear, mlp512, mlp512-256).",
            saveModel: "Keep the trained classifier in FILE (one file: a copy of the encoder weights, the normalisation stats, scaler, head, " +
                       "class names, task kind, unit_sec) for 'byola classify' and ByolAClassifier.Load. Split tasks keep run 0's classifier " +
                       "(its test score is the first run's); fold tasks one more trained on every fold.");
        var epochs = new Option<int>("--epochs") { Description = "Maximum classifier epochs.", DefaultValueFactory = _ => 200, HelpName = "N" };
        var lr = new Option<double>("--lr") { Description = "Classifier learning rate (Adam).", DefaultValueFactory = _ => 0.001, HelpName = "RATE" };
        var noEarly = new Option<bool>("--no-early-stopping") { Description = "Train all epochs and keep the last weights instead of stopping on validation accuracy (patience 10)." };
        var batch = new Option<int>("--batch") { Description = "Classifier mini-batch size (min with the training set size).", DefaultValueFactory = _ => 200, HelpName = "N" };
        var embedBatch = new Option<int>("--embed-batch") { Description = "Clips per encoder batch when embedding.", DefaultValueFactory = _ => 64, HelpName = "N" };
        var noCache = new Option<bool>("--no-cache") { Description = "Recompute embeddings and do not store them (by default they are cached per weights, task and unit_sec)." };
        var command = new Command("evaluate",
            "Embed a task's audio with frozen encoder weights and train a linear classifier (or an MLP, --hidden) on the embeddings; print the test " +
            "accuracy — or mAP and ROC AUC for a multi-label task (a label cell \"a,b\") — as mean and std over REPEAT runs and append it to " +
            "results/TASK-scores.csv; --save-model keeps the classifier for 'byola classify'.")
        {
            epochs, lr, noEarly, batch, embedBatch, noCache,
        };
        var compute = new ComputeOptions().AddTo(command);
        taskOptions.AddTo(command, compute);
        var tf32 = ComputeOptions.Tf32();
        command.Options.Add(tf32);
        var precision = ComputeOptions.Precision("What the encoder embeds in (default fp32 whatever the config trains in); the embedding cache keeps precisions apart.");
        command.Options.Add(precision);
        var names = compute.Names.Add(nameof(EvaluateOptions.Tf32), tf32).Add(nameof(EvaluateOptions.Precision), precision)
            .Add(nameof(ProbeOptions.Epochs), epochs).Add(nameof(ProbeOptions.Lr), lr).Add(nameof(ProbeOptions.BatchSize), batch)
            .Add(nameof(EvaluateOptions.EmbedBatch), embedBatch);
        command.SetAction(parse => VerbRunner.Run(context, parse, ct =>
        {
            var config = compute.LoadConfig(parse);
            var options = (taskOptions.Read(parse, config) with
            {
                Probe = new ProbeOptions
                {
                    Epochs = parse.GetValue(epochs),
                    Lr = parse.GetValue(lr),
                    BatchSize = parse.GetValue(batch),
                    EarlyStopping = !parse.GetValue(noEarly),
                    Hidden = taskOptions.ReadHidden(parse),
                },
                EmbedBatch = parse.GetValue(embedBatch),
                UseCache = !parse.GetValue(noCache),
                Tf32 = parse.GetValue(tf32),
                Precision = ComputeOptions.ParsePrecision(parse, precision),
            }).Validate();
            options = options with { Device = compute.InitialiseTorch(parse) };
            var result = LinearEvaluation.Run(options, context.CreateProgress(), ct);
            TaskOptions.WriteResult(context.Output, result, result.Head == ScoresCsv.LinearHead ? "" : $", {result.Head} probe");
            return ExitCodes.Ok;
        }, names));
        return command;
    }
}
