namespace ByolA.Learning;

/// <summary>
/// One epoch's averages: BYOL loss, and mean/std of the paired views before (mb, sb) and after (ma, sa)
/// NormalizeBatch, as the original logs them; plus throughput.
/// </summary>
public sealed record EpochMetrics(int Epoch, double Loss, double Mb, double Sb, double Ma, double Sa, int Batches, int Samples, double Seconds)
{
    public double SamplesPerSecond => Seconds > 0 ? Samples / Seconds : 0;
}
