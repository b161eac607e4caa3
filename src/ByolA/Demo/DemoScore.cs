namespace ByolA.Demo;

/// <summary>One row of the demo's comparison table: accuracies are fractions, <see cref="Elapsed"/> the probe's time.</summary>
public sealed record DemoScore(string Encoder, double MeanAccuracy, double StdAccuracy, int Runs, TimeSpan Elapsed);
