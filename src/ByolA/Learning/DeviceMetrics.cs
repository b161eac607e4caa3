using static TorchSharp.torch;
using ByolA.Runtime;

namespace ByolA.Learning;

/// <summary>
/// One epoch's running sums of the step metrics — BYOL loss and the mean/std of the paired views before (mb, sb)
/// and after (ma, sa) NormalizeBatch — kept on the training device, so a step never waits for the GPU to report
/// them. The host reads them only through <see cref="ReadLoss"/> (the progress bar, about once a second) and
/// <see cref="ReadMeans"/> (once, at the end of the epoch); <see cref="HostReads"/> counts both, which is how the
/// tests check that training steps do not synchronise with the host.
/// </summary>
internal sealed class DeviceMetrics : IDisposable
{
    Tensor? _sums;   // (5,) float64 on the device: the same float64 sums of the float32 values the host kept before
    readonly List<Tensor> _losses = [];   // each step's loss, on the device: the first non-finite one is found at the epoch's read

    /// <summary>After <see cref="ReadMeans"/>: the 0-based index of the first step whose loss was NaN or infinite, if any.</summary>
    public int? FirstNonFiniteStep { get; private set; }

    /// <summary>After <see cref="ReadMeans"/>: that step's loss.</summary>
    public float NonFiniteLoss { get; private set; }

    /// <summary>Steps added so far.</summary>
    public int Steps { get; private set; }

    /// <summary>Device-to-host reads made so far.</summary>
    public int HostReads { get; private set; }

    /// <summary>Adds one step's (5,) float32 values: loss, mb, sb, ma, sa. Queues device work only.</summary>
    public void Add(Tensor values)
    {
        using var noGrad = no_grad();
        _sums ??= zeros(5, ScalarType.Float64, values.device).DetachFromDisposeScope();
        using var asDouble = values.detach().to_type(ScalarType.Float64);
        _sums.PlusInPlace(asDouble);
        _losses.Add(values[0].detach().clone().DetachFromDisposeScope());
        Steps++;
    }

    /// <summary>The loss of a step's values (reads them back: waits for the device).</summary>
    public float ReadLoss(Tensor values)
    {
        HostReads++;
        using var loss = values[0].cpu();
        return loss.item<float>();
    }

    /// <summary>The means over the steps so far: loss, mb, sb, ma, sa (one read back; zeros when no step ran).</summary>
    public double[] ReadMeans()
    {
        if (_sums is null) return new double[5];
        HostReads++;
        using var losses = stack(_losses).to_type(ScalarType.Float64);
        using var host = cat([_sums, losses]).cpu();   // one read for the sums and every step's loss
        var all = host.data<double>().ToArray();
        for (int i = 5; i < all.Length && FirstNonFiniteStep is null; i++)
            if (!double.IsFinite(all[i])) (FirstNonFiniteStep, NonFiniteLoss) = (i - 5, (float)all[i]);
        int d = Math.Max(1, Steps);
        return all.Take(5).Select(v => v / d).ToArray();
    }

    public void Dispose()
    {
        _sums?.Dispose();
        _sums = null;
        foreach (var loss in _losses) loss.Dispose();
        _losses.Clear();
    }
}
