using System.Globalization;
using ByolA.Probe;

namespace ByolA.Finetune;

/// <summary>
/// What <see cref="Finetuning.Run"/> fine-tunes and how (SPEC §10). The task, weights, unit, repeat, seed, config,
/// device, precision, work and results folders and the saved classifier are <see cref="Task"/>'s, read as evaluate
/// reads them; the training is <see cref="Recipe"/>'s. Call <see cref="Validate"/> first.
/// </summary>
public sealed record FinetuneOptions
{
    /// <summary>The task and everything evaluate shares (its <see cref="EvaluateOptions.Probe"/> is not used).</summary>
    public required EvaluateOptions Task { get; init; }

    /// <summary>How to train.</summary>
    public FinetuneRecipe Recipe { get; init; } = new();

    /// <summary>Folder of the end-of-epoch checkpoints (<c>run{r}.pth</c>, <c>run{r}-fold{f}.pth</c>); null: WORK/finetune/TASK.</summary>
    public string? CheckpointDir { get; init; }

    /// <summary>Continue each run from its checkpoint (written with the same options), instead of starting over.</summary>
    public bool Resume { get; init; }

    /// <summary>The checkpoint folder used.</summary>
    public string ResolvedCheckpointDir => CheckpointDir ?? Path.Combine(Task.WorkRoot, "finetune", Task.TaskName);

    /// <summary>Throws <see cref="OptionException"/> naming the first property that cannot work: the recipe's, then the task's checks.</summary>
    public FinetuneOptions Validate()
    {
        Recipe.Validate();
        Task.Validate();
        return this;
    }

    /// <summary>What a checkpoint must have been written with for a resume to continue it, in words.</summary>
    internal string Fingerprint(int run, int? fold, int clips, string weightsSha) => string.Create(CultureInfo.InvariantCulture,
        $"task {Task.TaskName}{(fold is { } f ? $" fold {f}" : "")}, {clips} clips, unit {Task.ResolvedUnitSec} s, weights {weightsSha[..12]}, " +
        $"seed {Task.Seed + run}, {Recipe.Describe()}");
}
