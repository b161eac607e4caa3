namespace ByolA.Probe;

/// <summary>One class and its probability for a sound: softmax over classes (single-label), or the class's own sigmoid (multi-label).</summary>
public readonly record struct LabelScore(string Label, double Score);
