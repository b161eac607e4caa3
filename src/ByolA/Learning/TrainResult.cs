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
    IReadOnlyList<string> Unreadable)
{
    /// <summary>
    /// This process's rank when several trained together (0 alone). Only rank 0 writes: the paths above are rank 0's,
    /// and the other ranks' results carry the epochs' metrics averaged over all ranks, as rank 0's do.
    /// </summary>
    public int Rank { get; init; }

    /// <summary>How many processes trained together (1 alone).</summary>
    public int WorldSize { get; init; } = 1;
}
