namespace ByolA.Tasks.Synthetic;

/// <summary>Where <see cref="SyntheticDataset.Write"/> put things; <see cref="UnlabelledFiles"/> in generation order.</summary>
public sealed record SyntheticDatasetInfo(
    string MetadataCsv, string AudioDir, string UnlabelledDir, int LabelledClips, IReadOnlyList<string> UnlabelledFiles, IReadOnlyList<string> Labels);
