using ByolA.Runtime;

namespace ByolA.Tasks;

/// <summary>Options of <c>byola preprocess</c>; <see cref="Validate"/> before use.</summary>
public sealed record PreprocessOptions
{
    /// <summary>Task name (see <see cref="TaskRegistry"/>).</summary>
    public required string Task { get; init; }

    /// <summary>The dataset folder as distributed.</summary>
    public required string DatasetRoot { get; init; }

    /// <summary>Where work/metadata and work/16k go (default ./work).</summary>
    public string WorkRoot { get; init; } = "work";

    /// <summary>Sample rate of the converted audio (the config's sample_rate).</summary>
    public int SampleRate { get; init; } = 16000;

    /// <summary>Seed of the random parts of some protocols (fsdnoisy18k's and as20k's valid split, voxforge's speaker and cremad's actor split).</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// voxforge: a CSV with <c>split</c> and <c>speaker</c> or <c>file_name</c> columns fixing the split; cremad: a CSV
    /// with <c>actor</c> and <c>split</c> columns (every actor of the dataset listed).
    /// </summary>
    public string? SplitCsv { get; init; }

    /// <summary>gtzan only: the folder holding its split lists (<c>train_filtered.txt</c>, …); default the dataset root.</summary>
    public string? ListsDir { get; init; }

    /// <summary>Where resampling runs (default CPU); files are read and written on the host either way.</summary>
    public TorchSharp.torch.Device? Device { get; init; }

    /// <summary>Parallel conversions (default: all cores).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>work/metadata/TASK.csv.</summary>
    public string MetadataPath => Path.Combine(WorkRoot, "metadata", Task + ".csv");

    /// <summary>work/16k/TASK (the converted audio).</summary>
    public string AudioDir => Path.Combine(WorkRoot, "16k", Task);

    /// <summary>
    /// Throws <see cref="OptionException"/> naming the first property whose value cannot work (before any file is looked
    /// at), then <see cref="ByolAException"/> for a missing dataset folder or split CSV.
    /// </summary>
    public PreprocessOptions Validate()
    {
        var task = TaskRegistry.Get(Task, nameof(Task));
        if (SampleRate <= 0) throw OptionException.Invalid(nameof(SampleRate), $"must be > 0 (got {SampleRate})");
        ResourceLimits.RequireThreads(nameof(Workers), Workers);
        if (SplitCsv != null && task.Name is not ("voxforge" or "cremad")) throw OptionException.Invalid(nameof(SplitCsv), "applies to voxforge and cremad only");
        if (ListsDir != null && task.Name != "gtzan") throw OptionException.Invalid(nameof(ListsDir), "applies to gtzan only");
        if (!Directory.Exists(DatasetRoot))
            throw new ByolAException($"{DatasetRoot}: dataset folder not found; pass the folder holding the {Task} dataset as distributed");
        if (SplitCsv != null && !File.Exists(SplitCsv)) throw new ByolAException($"{SplitCsv}: split CSV not found");
        // The dataset is read-only to us: a work folder inside it (real paths, links resolved) would receive the
        // metadata and every converted file, and each file failed only later, one by one.
        if (Data.FilePaths.IsSameOrInside(Data.FilePaths.Real(WorkRoot), Data.FilePaths.Real(DatasetRoot)))
            throw OptionException.Invalid(nameof(WorkRoot), $"{WorkRoot} is inside the dataset folder {DatasetRoot}, which preprocess never writes to; give a work folder outside it");
        if (ListsDir != null && !Directory.Exists(ListsDir)) throw new ByolAException($"{ListsDir}: lists folder not found");
        return this;
    }
}
