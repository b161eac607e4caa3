namespace ByolA.Probe;

/// <summary>
/// The top labels of one file, or of one window of it (<see cref="StartSec"/>, <see cref="EndSec"/>; null for the whole
/// file), highest probability first.
/// </summary>
public sealed record Classification(string File, double? StartSec, double? EndSec, IReadOnlyList<LabelScore> Labels);
