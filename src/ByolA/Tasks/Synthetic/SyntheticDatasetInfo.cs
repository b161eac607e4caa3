namespace ByolA.Tasks.Synthetic;

/// <summary>Where <see cref="SyntheticDataset.Write"/> put things.</summary>
public sealed record SyntheticDatasetInfo(
    string MetadataCsv, string AudioDir, string UnlabelledDir, int LabelledClips, int UnlabelledClips, IReadOnlyList<string> Labels);
