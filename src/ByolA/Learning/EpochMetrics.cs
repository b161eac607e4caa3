namespace ByolA.Learning;

/// <summary>
/// One epoch's averages: BYOL loss, and mean/std of the paired views before (mb, sb) and after (ma, sa)
/// NormalizeBatch, as the original logs them; plus throughput.
/// </summary>
public sealed record EpochMetrics(int Epoch, double Loss, double Mb, double Sb, double Ma, double Sa, int Batches, int Samples, double Seconds)
{
    public double SamplesPerSecond => Seconds > 0 ? Samples / Seconds : 0;

    /// <summary>Device-to-host reads of the metrics during the epoch (1 at the end, plus one per progress update).</summary>
    public int HostReads { get; init; }

    /// <summary>The seed every CUDA device's generator got at the start of the epoch (<see cref="EpochSeeds.Cuda"/>).</summary>
    public long CudaSeed { get; init; }
}
