namespace ByolA.Learning;

/// <summary>What a finished <see cref="Trainer.Run"/> produced.</summary>
/// <param name="WeightsPath">The final encoder state dict (keys features.*, fc.*), SPEC naming.</param>
/// <param name="CheckpointPath">The last full checkpoint (resumable).</param>
/// <param name="LogPath">Per-epoch CSV log.</param>
/// <param name="Epochs">Metrics of the epochs run by this call (not those before a resume).</param>
/// <param name="FilesUsed">Training files that could be read.</param>
/// <param name="Unreadable">Files skipped because they could not be read, with the reason.</param>
public sealed record TrainResult(
    string WeightsPath,
    string CheckpointPath,
    string LogPath,
    IReadOnlyList<EpochMetrics> Epochs,
    int FilesUsed,
    IReadOnlyList<string> Unreadable);
