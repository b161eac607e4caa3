namespace ByolA.Tasks.Synthetic;

/// <summary>What <see cref="SyntheticDataset"/> generates; <see cref="Validate"/> rejects impossible values.</summary>
public sealed record SyntheticDatasetOptions
{
    /// <summary>Output folder; receives audio/ (labelled), unlabelled/ and metadata.csv.</summary>
    public required string Folder { get; init; }

    /// <summary>Labelled clips per class (split into train/valid/test).</summary>
    public int ClipsPerClass { get; init; } = 60;

    /// <summary>Extra unlabelled clips for pretraining (drawn from the same classes, with no labels kept).</summary>
    public int UnlabelledClips { get; init; } = 600;

    public int Seed { get; init; } = 42;
    public int SampleRate { get; init; } = 16000;
    public double Seconds { get; init; } = 1.0;
    public double ValidFraction { get; init; } = 0.2;
    public double TestFraction { get; init; } = 0.3;
    public IReadOnlyList<SoundKind> Kinds { get; init; } = Enum.GetValues<SoundKind>();

    public SyntheticDatasetOptions Validate()
    {
        if (ClipsPerClass < 5) throw new ByolAException($"clips per class must be at least 5 (got {ClipsPerClass})");
        if (UnlabelledClips < 0) throw new ByolAException($"unlabelled clips must be >= 0 (got {UnlabelledClips})");
        if (Seconds <= 0.1) throw new ByolAException($"clip length must exceed 0.1 s (got {Seconds})");
        if (ValidFraction <= 0 || TestFraction <= 0 || ValidFraction + TestFraction >= 1)
            throw new ByolAException("valid and test fractions must be positive and leave room for training");
        if (Kinds.Count < 2) throw new ByolAException("at least two sound kinds are needed for a classification task");
        return this;
    }
}
