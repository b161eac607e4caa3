using static TorchSharp.torch;
using ByolA.Runtime;

namespace ByolA.Augmentations;

/// <summary>
/// BYOL-A Mixup in the log-mel domain: each sample is mixed with a random past input,
/// <c>log((1 − α)·exp(x) + α·exp(z) + eps)</c> with <c>α = ratio·U(0, 1)</c>, and then the un-mixed input joins a
/// FIFO memory of the last <see cref="MemorySize"/> inputs. A batch (B, 1, F, T) behaves exactly like B calls in
/// order — sample b may draw sample b' &lt; b of the same batch — but runs as a few batched gathers on the device.
/// The memory lives on the input's device.
/// </summary>
internal sealed class MixupBYOLA : IDisposable
{
    readonly IRandomSource _rng;
    Tensor? _bank;   // (MemorySize, 1, F, T); slot p % MemorySize holds push number p
    long _pushed;

    public MixupBYOLA(IRandomSource rng, double ratio = 0.4, int memorySize = 2048)
    {
        if (ratio is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(ratio), "mixup ratio must be in [0, 1]");
        if (memorySize < 1) throw new ArgumentOutOfRangeException(nameof(memorySize));
        _rng = rng;
        Ratio = ratio;
        MemorySize = memorySize;
    }

    public double Ratio { get; }
    public int MemorySize { get; }

    /// <summary>How many inputs the memory holds now (at most <see cref="MemorySize"/>).</summary>
    public int Count => (int)Math.Min(_pushed, MemorySize);

    /// <summary>Empties the memory (the original's data-loader workers start every epoch with an empty one).</summary>
    public void Reset()
    {
        _bank?.Dispose();
        _bank = null;
        _pushed = 0;
    }

    /// <summary>Mixes (B, 1, F, T) or (1, F, T) and pushes the inputs; draws α then the memory index per sample.</summary>
    public Tensor Apply(Tensor input)
    {
        var parameters = new PackedParameters();
        var plan = Draw((int)Batch.Of(input, nameof(MixupBYOLA)).shape[0], parameters);
        using var uploaded = parameters.Upload(input.device);
        return Run(input, uploaded, plan);
    }

    /// <summary>
    /// Mixes with given draws: <paramref name="alpha"/>[b] and <paramref name="memoryIndex"/>[b], an index into the
    /// memory as sample b sees it (oldest first, 0 ≤ index &lt; min(pushed + b, MemorySize)), or −1 to return the
    /// sample unchanged (only allowed when that memory is empty).
    /// </summary>
    public Tensor Apply(Tensor input, float[] alpha, long[] memoryIndex)
    {
        var parameters = new PackedParameters();
        var plan = Prepare(alpha, memoryIndex, parameters);
        if (plan.N != Batch.Of(input, nameof(MixupBYOLA)).shape[0]) throw new ArgumentException("one alpha and one memory index per sample");
        using var uploaded = parameters.Upload(input.device);
        return Run(input, uploaded, plan);
    }

    /// <summary>Where one batch's parameters sit in a <see cref="PackedParameters"/> buffer.</summary>
    internal readonly record struct Plan(int N, PackedParameters.Segment Alpha, PackedParameters.Segment FromBank,
        PackedParameters.Segment BankSlot, PackedParameters.Segment BatchRow, PackedParameters.Segment Mix, PackedParameters.Segment PushSlots);

    /// <summary>Draws α then the memory index for each of <paramref name="n"/> samples (host only, no device work).</summary>
    internal Plan Draw(int n, PackedParameters into)
    {
        var alpha = new float[n];
        var index = new long[n];
        for (int b = 0; b < n; b++)
        {
            long available = Math.Min(_pushed + b, MemorySize);
            alpha[b] = (float)(Ratio * _rng.Uniform());
            index[b] = available == 0 ? -1 : _rng.RandInt(0, (int)available - 1);
        }
        return Prepare(alpha, index, into);
    }

    /// <summary>Checks the draws against the memory as it is now and packs what the device needs.</summary>
    internal Plan Prepare(float[] alpha, long[] memoryIndex, PackedParameters into)
    {
        int n = alpha.Length;
        if (memoryIndex.Length != n) throw new ArgumentException("one alpha and one memory index per sample");
        // Map each pick to its global push number p, then to a bank slot (p < pushed) or a row of this batch.
        var fromBank = new bool[n];
        var bankSlot = new long[n];
        var batchRow = new long[n];
        var mix = new bool[n];
        for (int b = 0; b < n; b++)
        {
            long available = Math.Min(_pushed + b, MemorySize);
            if (memoryIndex[b] < 0)
            {
                if (available != 0) throw new ArgumentException("memory index −1 is only valid while the memory is empty");
                continue;
            }
            if (memoryIndex[b] >= available) throw new ArgumentOutOfRangeException(nameof(memoryIndex), $"index {memoryIndex[b]} ≥ memory size {available}");
            mix[b] = true;
            long p = _pushed + b - available + memoryIndex[b];
            fromBank[b] = p < _pushed;
            bankSlot[b] = fromBank[b] ? p % MemorySize : 0;
            batchRow[b] = fromBank[b] ? 0 : p - _pushed;
        }
        int keep = Math.Min(n, MemorySize);
        var slots = new long[keep];
        for (int k = 0; k < keep; k++) slots[k] = (_pushed + n - keep + k) % MemorySize;
        return new Plan(n, into.Add(alpha), into.Add(fromBank), into.Add(bankSlot), into.Add(batchRow), into.Add(mix), into.Add(slots));
    }

    /// <summary>Mixes with a prepared plan whose parameters are in <paramref name="uploaded"/> (on the input's device).</summary>
    internal Tensor Run(Tensor input, Tensor uploaded, Plan plan)
    {
        using var scope = NewDisposeScope();
        var x = Batch.Of(input, nameof(MixupBYOLA));
        int n = (int)x.shape[0];
        if (plan.N != n) throw new ArgumentException($"{nameof(MixupBYOLA)}: parameters for {plan.N} samples, batch of {n}");
        _bank ??= zeros([MemorySize, .. x.shape[1..]], x.dtype, x.device).DetachFromDisposeScope();
        if (!_bank.shape.Skip(1).SequenceEqual(x.shape.Skip(1)) || _bank.device_type != x.device_type || _bank.device_index != x.device_index)
            throw new ArgumentException($"{nameof(MixupBYOLA)}: input shape/device changed; Reset() first");

        var shape4 = new long[] { n, 1, 1, 1 };
        var z = where(plan.FromBank.Of(uploaded, ScalarType.Bool).view(shape4),
            _bank.index_select(0, plan.BankSlot.Of(uploaded, ScalarType.Int64)),
            x.index_select(0, plan.BatchRow.Of(uploaded, ScalarType.Int64)));
        var a = plan.Alpha.Of(uploaded, ScalarType.Float32).to_type(x.dtype).view(shape4);
        var mixed = a.OneMinus().mul(x.exp()).Plus(a * z.exp()).PlusEps().log();   // ((1 − a)·eˣ + a·eᶻ + eps).log()
        var result = where(plan.Mix.Of(uploaded, ScalarType.Bool).view(shape4), mixed, x);

        // Push: the last min(n, MemorySize) inputs go to their FIFO slots.
        int keep = plan.PushSlots.Length;
        using (var rows = x.narrow(0, n - keep, keep).detach())
            _bank.index_copy_(0, plan.PushSlots.Of(uploaded, ScalarType.Int64), rows);
        _pushed += n;
        return Batch.Restore(result, input).MoveToOuterDisposeScope();
    }

    public void Dispose() => Reset();
}
