namespace ByolA.Models;

/// <summary>The sizes that build an encoder: mel bins, embedding width d and, for v2, the MLP's hidden width.</summary>
internal sealed record EncoderShape(int NMels, int FeatureD, int MlpHiddenD = 0);
