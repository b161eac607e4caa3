namespace ByolA.Tasks;

/// <summary>
/// One row of a task's metadata CSV: an audio file (relative to the task's audio folder), its label, and either a
/// split (train/valid/test) or a fold number (leave-one-fold-out tasks). Exactly one of Split and Fold is set.
/// </summary>
public sealed record MetadataRow(string FileName, string Label, string? Split = null, int? Fold = null);
