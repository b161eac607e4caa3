namespace ByolA.Demo;

/// <summary>
/// What the demo did and where its files went; <see cref="Scores"/> holds one row per encoder probed, and
/// <see cref="Picture"/> is the PNG of the pretraining loss and those scores.
/// </summary>
public sealed record DemoReport(
    IReadOnlyList<DemoScore> Scores,
    TimeSpan PretrainTime,
    int PretrainEpochs,
    string PretrainedWeights,
    string RandomWeights,
    string? OfficialWeights,
    string MetadataCsv,
    string ScoresCsv,
    string TrainLog,
    string Picture)
{
    /// <summary>The encoder pretrained by the demo.</summary>
    public DemoScore Pretrained => Scores[0];

    /// <summary>The randomly initialised encoder of the same architecture.</summary>
    public DemoScore Random => Scores[1];

    /// <summary>Pretrained minus random mean accuracy, in percentage points.</summary>
    public double MarginPoints => 100 * (Pretrained.MeanAccuracy - Random.MeanAccuracy);
}
