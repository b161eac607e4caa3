using static TorchSharp.torch;
using ByolA.Runtime;

namespace ByolA.Augmentations;

/// <summary>
/// BYOL-A v1 pre-normalisation with running statistics over whole samples. For each of the first
/// <see cref="MaxUpdates"/> samples (epoch_samples × max_update_epochs) the running mean becomes the average of
/// the sample means so far, then the running variance the average of each sample's <c>mean((x − m)²)</c> taken
/// with the mean current at that sample; later samples leave them frozen. Each sample is normalised with the
/// statistics after its own update: <c>(x − m) / clamp(sqrt(v), eps, max)</c>.
/// <para>
/// A batch (B, 1, F, T) gives exactly the result of B calls in order: the per-sample updates are cumulative sums
/// over the batch, computed on the device (statistics kept in float64 there), with no host round trip.
/// </para>
/// </summary>
internal sealed class RunningNorm : IDisposable
{
    Tensor? _mean, _var;   // 0-dim float64 on the device of the last batch

    public RunningNorm(long epochSamples, int maxUpdateEpochs = 10)
    {
        if (epochSamples < 1 || maxUpdateEpochs < 0) throw new ArgumentOutOfRangeException(nameof(epochSamples));
        MaxUpdates = epochSamples * maxUpdateEpochs;
    }

    /// <summary>Samples that update the statistics before they freeze.</summary>
    public long MaxUpdates { get; }

    /// <summary>Samples seen so far that updated the statistics (≤ <see cref="MaxUpdates"/>).</summary>
    public long Updates { get; private set; }

    /// <summary>Current running mean and variance (reads them back to the host).</summary>
    public (double Mean, double Var) Statistics =>
        _mean is null ? (0, 0) : (_mean.cpu().item<double>(), _var!.cpu().item<double>());

    /// <summary>Restores statistics saved from <see cref="Statistics"/> and <see cref="Updates"/> (e.g. on resume).</summary>
    public void Restore(double mean, double var, long updates)
    {
        if (updates < 0 || updates > MaxUpdates) throw new ArgumentOutOfRangeException(nameof(updates));
        Dispose();
        Updates = updates;
        if (updates > 0)
        {
            _mean = tensor(mean, ScalarType.Float64);
            _var = tensor(var, ScalarType.Float64);
        }
    }

    public Tensor Apply(Tensor input)
    {
        using var k = new KeptScalars();
        using var scope = NewDisposeScope();
        var x = Batch.Of(input, nameof(RunningNorm));
        long n = x.shape[0];
        var dev = x.device;
        long[] sampleAxes = [1, 2, 3];
        var x64 = x.to_type(ScalarType.Float64);
        if (_mean is not null && (_mean.device_type != dev.type || _mean.device_index != dev.index))
        {
            // Restored statistics start on the CPU: move them once, not once per batch.
            var (m, v) = (_mean.to(dev).DetachFromDisposeScope(), _var!.to(dev).DetachFromDisposeScope());
            Dispose();
            (_mean, _var) = (m, v);
        }
        var m0 = _mean?.alias() ?? zeros([], ScalarType.Float64, dev);
        var v0 = _var?.alias() ?? zeros([], ScalarType.Float64, dev);
        Tensor meanPerSample, varPerSample;
        long u = Math.Clamp(MaxUpdates - Updates, 0, n);
        if (u == 0)
        {
            if (_mean is null) throw new InvalidOperationException("RunningNorm has no statistics (MaxUpdates is 0)");
            meanPerSample = m0.expand(n);
            varPerSample = v0.expand(n);
        }
        else
        {
            var head = x64.narrow(0, 0, u);
            var seen = ScalarSafeOps.Range(k.Of(Updates + 1), k.Of(Updates + u + 1), ScalarType.Float64, dev);   // count after each update
            var m = (m0 * k.Of(Updates)).Plus(head.mean(sampleAxes).cumsum(0)) / seen;
            var q = (head - m.view(u, 1, 1, 1)).Squared().mean(sampleAxes);
            var v = (v0 * k.Of(Updates)).Plus(q.cumsum(0)) / seen;
            var mLast = m[u - 1];
            var vLast = v[u - 1];
            meanPerSample = cat([m, mLast.expand(n - u)]);
            varPerSample = cat([v, vLast.expand(n - u)]);
            _mean?.Dispose(); _var?.Dispose();
            _mean = mLast.detach().clone().DetachFromDisposeScope();
            _var = vLast.detach().clone().DetachFromDisposeScope();
            Updates += u;
        }
        var std = varPerSample.sqrt().clamp(k.Of(Numerics.Eps), k.Of(double.MaxValue));
        var result = ((x64 - meanPerSample.view(n, 1, 1, 1)) / std.view(n, 1, 1, 1)).to_type(x.dtype);
        return Batch.Restore(result, input).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _mean?.Dispose(); _var?.Dispose();
        _mean = _var = null;
    }
}
