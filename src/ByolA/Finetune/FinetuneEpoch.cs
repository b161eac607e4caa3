namespace ByolA.Finetune;

/// <summary>
/// What one fine-tuning epoch reports (read once, at its end): the 1-based <see cref="Epoch"/>, the mean training
/// loss of its steps, the validation score (accuracy, or mAP; NaN without validation), and the training clips and
/// seconds of its steps (validation not counted).
/// </summary>
internal readonly record struct FinetuneEpoch(int Epoch, double Loss, double ValidScore, long Samples, double Seconds)
{
    /// <summary>Training clips per second of the epoch's steps.</summary>
    public double SamplesPerSecond => Seconds > 0 ? Samples / Seconds : 0;
}
