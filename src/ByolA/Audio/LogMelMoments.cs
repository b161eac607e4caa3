using static TorchSharp.torch;
using ByolA.Runtime;

namespace ByolA.Audio;

/// <summary>
/// Running population mean and standard deviation over every element of a stream of log-mel batches — the
/// normalisation statistics of SPEC §6.1 (evaluation) and of the v2 training recipe. Sums run in float64 on the
/// batches' device; only <see cref="Mean"/> and <see cref="Std"/> read them back.
/// </summary>
internal sealed class LogMelMoments : IDisposable
{
    Tensor? sum, sumSq;

    /// <summary>Elements seen so far.</summary>
    public long Count { get; private set; }

    /// <summary>Adds every element of <paramref name="logMel"/> (any shape, any device; empty batches are ignored).</summary>
    public void Add(Tensor logMel)
    {
        if (logMel.numel() == 0) return;
        // Owned by this object, not by whatever dispose scope the caller is in.
        sum ??= zeros(1, dtype: ScalarType.Float64, device: logMel.device).DetachFromDisposeScope();
        sumSq ??= zeros(1, dtype: ScalarType.Float64, device: logMel.device).DetachFromDisposeScope();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = logMel.to_type(ScalarType.Float64);
        sum.PlusInPlace(x.sum());
        sumSq.PlusInPlace(x.Squared().sum());
        Count += x.numel();
    }

    /// <summary>Mean of everything added; throws when nothing was.</summary>
    public double Mean => Count > 0 ? Sum(sum) / Count : throw new InvalidOperationException("no log-mel values were added");

    /// <summary>Population standard deviation (E[x²] − E[x]², floored at 0 against rounding) of everything added.</summary>
    public double Std
    {
        get
        {
            double mean = Mean;
            return Math.Sqrt(Math.Max(Sum(sumSq) / Count - mean * mean, 0));
        }
    }

    static double Sum(Tensor? t) => t!.cpu().item<double>();

    public void Dispose()
    {
        sum?.Dispose();
        sumSq?.Dispose();
    }
}
