using System.CommandLine;
using System.Globalization;
using ByolA.Configuration;
using ByolA.Probe;
using ByolA.Tasks;

namespace ByolA.Cli;

/// <summary>
/// The arguments and flags that name a labelled task and where its results go, shared by evaluate and finetune:
/// WEIGHTS TASK [UNIT_SEC] [REPEAT], --metadata, --audio-dir, --work, --results, --save-model, --seed and --hidden.
/// <see cref="Read"/> turns them into the <see cref="EvaluateOptions"/> both verbs hand to the library.
/// </summary>
public sealed class TaskOptions
{
    public Argument<FileInfo> Weights { get; }

    public Argument<string?> Task { get; } = new("task")
    {
        Description = $"Downstream task preprocessed with 'byola preprocess': {TaskRegistry.KnownNames}. " +
                      "With --metadata it only names your task (default: the metadata file's name).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Argument<double?> UnitSec { get; } = new("unit-sec")
    {
        Description = "Clip length in seconds. Default: the task's (spcv* 1.0, us8k/nsynth 4.0, vc1 8.2, voxforge 5.8, fsdnoisy18k 8.25, esc50 5.0, gtzan 30.0, cremad 2.5, fsd50k 7.6358, as20k 10.0), else the config's unit_sec.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Argument<int?> Repeat { get; }

    public Option<int?> Seed { get; }

    public Option<FileInfo?> Metadata { get; } = new("--metadata")
    {
        Description = "Your own task: CSV with file_name,label and split (train/valid/test) or fold columns.", HelpName = "FILE.csv",
    };

    public Option<DirectoryInfo?> AudioDir { get; } = new("--audio-dir")
    {
        Description = "Your own task: folder the metadata's file names are relative to (16 kHz mono .wav).", HelpName = "DIR",
    };

    public Option<string> Work { get; }

    public Option<string> Results { get; }

    public Option<string?> Hidden { get; }

    public Option<string?> SaveModel { get; }

    /// <param name="verb">How the verb's help names what it trains: "classifier", "fine-tuning".</param>
    /// <param name="weights">The weights argument's description.</param>
    /// <param name="work">The --work flag's description.</param>
    /// <param name="hidden">The --hidden flag's description.</param>
    /// <param name="saveModel">The --save-model flag's description.</param>
    public TaskOptions(string verb, string weights, string work, string hidden, string saveModel)
    {
        Weights = new("weights") { Description = weights };
        Repeat = new("repeat") { Description = $"{verb} runs (seeds SEED, SEED+1, …) averaged into mean and std (default 1).", Arity = ArgumentArity.ZeroOrOne };
        Seed = new("--seed") { Description = "Seed of everything random (stats sample, crops, classifier); run r uses SEED+r. Default: the config's seed (42).", HelpName = "N" };
        Work = new("--work") { Description = work, DefaultValueFactory = _ => "work", HelpName = "DIR" };
        Results = new("--results") { Description = "Folder of TASK-scores.csv, the per-class CSV and the confusion picture.", DefaultValueFactory = _ => "results", HelpName = "DIR" };
        Hidden = new("--hidden") { Description = hidden, HelpName = "H[,H…]" };
        SaveModel = new("--save-model") { Description = saveModel, HelpName = "FILE" };
    }

    /// <summary>Adds the arguments and flags to <paramref name="command"/>, --seed as the config's seed, and their names to <paramref name="compute"/>'s.</summary>
    public TaskOptions AddTo(Command command, ComputeOptions compute)
    {
        command.Arguments.Add(Weights);
        command.Arguments.Add(Task);
        command.Arguments.Add(UnitSec);
        command.Arguments.Add(Repeat);
        foreach (var option in new Option[] { Seed, Hidden, Metadata, AudioDir, Work, Results, SaveModel }) command.Options.Add(option);
        compute.ConfigFlag("seed", Seed);
        compute.Names.Add(nameof(EvaluateOptions.Weights), Weights).Add(nameof(EvaluateOptions.Task), Task)
            .Add(nameof(EvaluateOptions.UnitSec), UnitSec).Add(nameof(EvaluateOptions.Repeat), Repeat)
            .Add(nameof(ProbeOptions.Hidden), Hidden).Add(nameof(EvaluateOptions.SaveModel), SaveModel)
            .Add(nameof(EvaluateOptions.MetadataPath), Metadata).Add(nameof(EvaluateOptions.AudioDir), AudioDir)
            .Add(nameof(EvaluateOptions.WorkRoot), Work);
        return this;
    }

    /// <summary>The task's part of the options: weights, task, unit, repeat, seed and config, folders and the classifier file.</summary>
    public EvaluateOptions Read(ParseResult parse, ByolAConfig config) => new()
    {
        Weights = parse.GetValue(Weights)!.FullName,
        Task = parse.GetValue(Task),
        MetadataPath = parse.GetValue(Metadata)?.FullName,
        AudioDir = parse.GetValue(AudioDir)?.FullName,
        UnitSec = parse.GetValue(UnitSec),
        Repeat = parse.GetValue(Repeat) ?? 1,
        Seed = config.Seed,
        Config = config,
        WorkRoot = parse.GetValue(Work)!,
        ResultsDir = parse.GetValue(Results),
        SaveModel = parse.GetValue(SaveModel) is { } save ? Path.GetFullPath(save) : null,
    };

    /// <summary>--hidden: <c>512</c> or <c>512,256</c> → hidden sizes; empty or absent → none (a linear head).</summary>
    public IReadOnlyList<int> ReadHidden(ParseResult parse)
    {
        var text = parse.GetValue(Hidden);
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

    /// <summary>The verbs' result lines: the score line, then where the scores, per-class file, picture and classifier went.</summary>
    public static void WriteResult(TextWriter output, EvaluationResult result, string headNote)
    {
        var runs = string.Join(" ", result.Accuracies.Select(a => (a * 100).ToString("0.00", CultureInfo.InvariantCulture)));
        bool mAP = result.Metric != Reports.ScoresCsv.Accuracy;
        string scoreText = mAP
            ? string.Create(CultureInfo.InvariantCulture, $"mAP {result.Mean * 100:0.00} ± {result.Std * 100:0.00}, ROC AUC {result.Aucs.Average() * 100:0.00}")
            : string.Create(CultureInfo.InvariantCulture, $"{result.Mean * 100:0.00}% ± {result.Std * 100:0.00}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Task}: {scoreText} over {result.Accuracies.Count} run(s) [{runs}] — {result.ModelName}{headNote}, unit {result.UnitSec:0.###} s"));
        if ((result.PerClass?.Worst(3) ?? result.PerClassRanking?.Worst(3)) is { Count: > 0 } worst)
            output.WriteLine("worst classes: " + string.Join(", ", worst.Select(w =>
                mAP ? string.Create(CultureInfo.InvariantCulture, $"{w.Class} AP {w.Mean * 100:0.00}")
                    : string.Create(CultureInfo.InvariantCulture, $"{w.Class} {w.Mean * 100:0.00}%"))));
        if (result.ResultsPath != null) output.WriteLine($"appended to {result.ResultsPath}");
        if (result.PerClassPath != null) output.WriteLine($"per-class {(mAP ? "AP and AUC" : "accuracy")}: {result.PerClassPath}");
        if (result.ConfusionPath != null) output.WriteLine($"confusion matrix:   {result.ConfusionPath}");
        if (result.SavedModelPath != null) output.WriteLine($"classifier:         {result.SavedModelPath}");
    }
}
