namespace ByolA.Tasks.Synthetic;

/// <summary>What <see cref="SyntheticDataset"/> generates; <see cref="Validate"/> rejects impossible values.</summary>
internal sealed record SyntheticDatasetOptions
{
    /// <summary>Output folder; receives audio/ (labelled), unlabelled/ and metadata.csv.</summary>
    public required string Folder { get; init; }

    /// <summary>Labelled training clips per class.</summary>
    public int TrainPerClass { get; init; } = 50;

    /// <summary>Validation clips per class (early stopping of the linear probe).</summary>
    public int ValidPerClass { get; init; } = 20;

    /// <summary>Test clips per class (the reported accuracy).</summary>
    public int TestPerClass { get; init; } = 30;

    /// <summary>Extra unlabelled clips for pretraining (drawn from the same classes, with no labels kept).</summary>
    public int UnlabelledClips { get; init; } = 600;

    public int Seed { get; init; } = 42;
    public int SampleRate { get; init; } = 16000;
    public double Seconds { get; init; } = 1.0;
    public IReadOnlyList<SoundKind> Kinds { get; init; } = Enum.GetValues<SoundKind>();

    /// <summary>
    /// When set, every labelled clip is its sound mixed with a sound of another kind whose RMS level is drawn from
    /// this range of dB relative to it: the label belongs to the louder sound, and a representation must look past
    /// the other one (what BYOL-A's mixup teaches). Null: clean clips.
    /// </summary>
    public (double Low, double High)? BackgroundDb { get; init; }

    /// <summary>Labelled clips per class, all splits.</summary>
    public int ClipsPerClass => TrainPerClass + ValidPerClass + TestPerClass;

    /// <summary>What is wrong with a <see cref="BackgroundDb"/> range (the one rule for every caller), or null when it can work.</summary>
    public static string? BackgroundProblem((double Low, double High)? range) =>
        range is var (lo, hi) && !(lo <= hi && hi < 0 && lo >= -60) ? $"must satisfy -60 <= low <= high < 0 dB (got {lo}, {hi})" : null;

    public SyntheticDatasetOptions Validate()
    {
        if (TrainPerClass < 1 || ValidPerClass < 1 || TestPerClass < 1)
            throw new ByolAException($"every class needs at least one train, valid and test clip (got {TrainPerClass}/{ValidPerClass}/{TestPerClass})");
        if (UnlabelledClips < 0) throw new ByolAException($"unlabelled clips must be >= 0 (got {UnlabelledClips})");
        if (Seconds <= 0.1) throw new ByolAException($"clip length must exceed 0.1 s (got {Seconds})");
        if (Kinds.Count < 2) throw new ByolAException("at least two sound kinds are needed for a classification task");
        if (Kinds.Distinct().Count() != Kinds.Count) throw new ByolAException("each sound kind may be listed once");
        if (BackgroundProblem(BackgroundDb) is { } why) throw new ByolAException("background levels " + why);
        return this;
    }
}
