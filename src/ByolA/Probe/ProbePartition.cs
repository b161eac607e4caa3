namespace ByolA.Probe;

/// <summary>
/// The metadata rows one classifier of the protocol learns from and is scored on (SPEC §6.3–6.4, §10): a split
/// task's train/valid/test (<see cref="Fold"/> null), or for a fold task the held-out <see cref="Fold"/> as test and
/// the other folds as train and validation. <see cref="Valid"/> is empty when nothing is held out.
/// </summary>
internal sealed record ProbePartition(int? Fold, long[] Train, long[] Valid, long[] Test);
