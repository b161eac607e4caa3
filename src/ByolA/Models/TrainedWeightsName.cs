namespace ByolA.Models;

/// <summary>What the name of trained weights records: input shape (F × T), d, time, epochs, batch, lr digits, seed, hash.</summary>
internal sealed record TrainedWeightsName(int F, int T, int FeatureD, string Timestamp, int Epochs, int Bs, string LrDigits, int Seed, string Hash8);
