namespace ByolA.Probe;

/// <summary>
/// What <see cref="ClassifyJob.Run"/> found: one <see cref="Classification"/> per file (or per window with timestamps),
/// in input order, for a classifier of <see cref="Task"/> (<see cref="MultiLabel"/>: sigmoid scores).
/// </summary>
public sealed record ClassifyResult(string Task, bool MultiLabel, IReadOnlyList<Classification> Items, string? OutPath);
