using ByolA.Embedding;
using ByolA.Configuration;
using ByolA.Runtime;
using ByolA.Tasks;
using TorchSharp;

namespace ByolA.Probe;

/// <summary>
/// What <see cref="LinearEvaluation.Run"/> evaluates and how. A known task (<see cref="Task"/>) reads
/// WORK/metadata/TASK.csv and WORK/16k/TASK; a user task gives <see cref="MetadataPath"/> and
/// <see cref="AudioDir"/> (its name defaults to the metadata file's name). Call <see cref="Validate"/> first.
/// </summary>
public sealed record EvaluateOptions
{
    /// <summary>Encoder weights (.pth).</summary>
    public required string Weights { get; init; }

    /// <summary>Task name: a known task, or the name of a user task (results/NAME-scores.csv).</summary>
    public string? Task { get; init; }

    /// <summary>User task: metadata CSV (file_name,label,split|fold). Known tasks default to WORK/metadata/TASK.csv.</summary>
    public string? MetadataPath { get; init; }

    /// <summary>User task: folder the metadata's file names are relative to. Known tasks default to WORK/16k/TASK.</summary>
    public string? AudioDir { get; init; }

    /// <summary>Clip length in seconds; default: the task's (EVAR convention), else the config's unit_sec.</summary>
    public double? UnitSec { get; init; }

    /// <summary>Number of classifier runs (seeds Seed, Seed+1, …) averaged into mean and std.</summary>
    public int Repeat { get; init; } = 1;

    public ProbeOptions Probe { get; init; } = new();

    public int Seed { get; init; } = 42;

    /// <summary>Front-end settings (sample rate, STFT, mel); the encoder's shape comes from the weights.</summary>
    public ByolAConfig Config { get; init; } = ByolAConfig.V1;

    public torch.Device? Device { get; init; }

    /// <summary>CUDA only: embed in TF32 instead of FP32 (the embedding cache keeps the two apart).</summary>
    public bool Tf32 { get; init; }

    /// <summary>
    /// What the encoder embeds in: FP32 (default), TF32 (CUDA) or bf16 (autocast). The embedding cache keeps each
    /// apart. <see cref="Tf32"/> is the older spelling of TF32.
    /// </summary>
    public NumericPrecision Precision { get; init; }

    /// <summary>The precision asked for by <see cref="Precision"/> and <see cref="Tf32"/> together.</summary>
    internal NumericPrecision ResolvedPrecision => Runtime.Precision.Resolve(Precision, Tf32, nameof(Tf32), nameof(Precision));

    /// <summary>Clips per encoder batch.</summary>
    public int EmbedBatch { get; init; } = 64;

    /// <summary>Where metadata, converted audio and the embedding cache live (default ./work).</summary>
    public string WorkRoot { get; init; } = "work";

    /// <summary>Where TASK-scores.csv is appended (default ./results); null writes nothing.</summary>
    public string? ResultsDir { get; init; } = "results";

    /// <summary>Model name in the scores CSV; default: the weight file's name without extension.</summary>
    public string? ModelName { get; init; }

    /// <summary>Reuse and store embeddings below WORK/embeddings (keyed by weights content, task, unit_sec, metadata).</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>
    /// Where to save the trained classifier (<see cref="ClassifierFile"/>: encoder copy, stats, scaler, head, classes),
    /// or null. Split tasks save run 0's classifier; fold tasks one more trained on every fold.
    /// </summary>
    public string? SaveModel { get; init; }

    /// <summary>The task name used for results and the cache.</summary>
    public string TaskName => Task ?? Path.GetFileNameWithoutExtension(MetadataPath!);

    /// <summary>The known task, or null for a user task.</summary>
    public IDownstreamTask? KnownTask => MetadataPath == null && Task != null ? TaskRegistry.Find(Task) : null;

    public string ResolvedMetadataPath => MetadataPath ?? Path.Combine(WorkRoot, "metadata", Task + ".csv");
    public string ResolvedAudioDir => AudioDir ?? Path.Combine(WorkRoot, "16k", Task!);
    public double ResolvedUnitSec => UnitSec ?? KnownTask?.UnitSec ?? Config.UnitSec;
    public string ResolvedModelName => ModelName ?? Path.GetFileNameWithoutExtension(Weights);

    /// <summary>The longest clip an evaluation embeds, in seconds.</summary>
    public const double MaxUnitSec = 600;

    /// <summary>
    /// Throws <see cref="OptionException"/> naming the first property whose value cannot work (checked first, before any
    /// file is looked at), then <see cref="ByolAException"/> for missing weights, task or audio folder.
    /// </summary>
    public EvaluateOptions Validate()
    {
        if (MetadataPath == null)
        {
            if (Task == null) throw new OptionException("give a task name, or {0} with {1} for your own task", nameof(MetadataPath), nameof(AudioDir));
            if (AudioDir != null) throw new OptionException("{0} goes with {1} (a user task); a known task reads WORK/16k/TASK", nameof(AudioDir), nameof(MetadataPath));
        }
        else if (AudioDir == null) throw new OptionException("{0} needs {1} (the folder its file names are relative to)", nameof(MetadataPath), nameof(AudioDir));
        if (UnitSec is { } unit && !(unit > 0 && unit <= MaxUnitSec))
            throw OptionException.Invalid(nameof(UnitSec), $"must be in (0, {MaxUnitSec}] seconds (got {unit})");
        if (Repeat <= 0) throw OptionException.Invalid(nameof(Repeat), $"must be > 0 (got {Repeat})");
        if (EmbedBatch <= 0) throw OptionException.Invalid(nameof(EmbedBatch), $"must be > 0 (got {EmbedBatch})");
        if (TaskName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || TaskName.Length == 0)
            throw OptionException.Invalid(Task != null ? nameof(Task) : nameof(MetadataPath), $"gives the task name '{TaskName}', which cannot be used in a file name");
        // The task names a folder (WORK/embeddings/TASK) and files (TASK-scores.csv): "." and ".." would put the cache
        // beside or above embeddings/, and a leading dot hides the scores file from report.
        if (TaskName.StartsWith('.') || TaskName.Trim().Length == 0)
            throw OptionException.Invalid(Task != null ? nameof(Task) : nameof(MetadataPath),
                $"gives the task name '{TaskName}', which cannot name the task's folder and files (it must not start with a dot or be blank)");
        Probe.Validate();
        _ = ResolvedPrecision;
        if (MetadataPath == null && TaskRegistry.Find(Task!) == null)
            throw new OptionException($"{{0}} '{OptionException.Escape(Task!)}' is not a known task; known tasks: {TaskRegistry.KnownNames} (for your own task give {{1}} and {{2}})",
                nameof(Task), nameof(MetadataPath), nameof(AudioDir));
        // Known before any file is read: a batch of clips is one float array, and the embedder holds its prefetch plus one.
        int unitSamples = (int)(Math.Min(ResolvedUnitSec, MaxUnitSec) * Config.SampleRate);
        ResourceLimits.RequireClipBatch(nameof(EmbedBatch), EmbedBatch, unitSamples, new EmbedderOptions().PrefetchBatches + 1);
        ResourceLimits.RequireEncoderBatch(nameof(EmbedBatch), EmbedBatch, unitSamples, Config.HopLength, Config.NMels);
        if (!File.Exists(Weights)) throw new ByolAException($"{Weights}: weights file not found");
        // Before the long work: a classifier that cannot be written is known now.
        if (SaveModel != null) Data.AtomicFile.CheckWritable(SaveModel);
        if (AudioDir != null && !Directory.Exists(AudioDir)) throw new ByolAException($"{AudioDir}: audio folder not found");
        return this;
    }
}
