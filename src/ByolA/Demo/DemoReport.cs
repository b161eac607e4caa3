namespace ByolA.Demo;

/// <summary>One row of the demo's comparison table.</summary>
public sealed record DemoScore(string Encoder, double MeanAccuracy, double StdAccuracy, TimeSpan Elapsed);

/// <summary>What the demo did and where its files went.</summary>
public sealed record DemoReport(
    DemoScore Pretrained,
    DemoScore Random,
    TimeSpan PretrainTime,
    int PretrainEpochs,
    string PretrainedWeights,
    string RandomWeights,
    string DatasetFolder,
    string ResultsFolder,
    string TrainLog);
