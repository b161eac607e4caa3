using ByolA.Runtime;
using static TorchSharp.torch;

namespace ByolA.Augmentations;

/// <summary>
/// SpecAugment as fine-tuning uses it (SPEC §10): per clip one frequency mask of width uniform in
/// [0, <see cref="FreqMaskWidth"/>) bins and one time mask of width uniform in [0, <see cref="TimeMaskWidth"/>) frames, each
/// at a uniform start, filled with 0. Widths and starts are drawn on the host from an <see cref="IRandomSource"/> and reach
/// the device in one <see cref="PackedParameters"/> copy, which fine-tuning shares with the step's other augmentations
/// (<see cref="Draw"/>, then <see cref="Run"/>); the masking itself is one comparison per axis on the device. A width
/// limit of 0 turns that mask off.
/// </summary>
internal sealed class SpecAugment(IRandomSource rng, int freqMaskWidth, int timeMaskWidth)
{
    public int FreqMaskWidth { get; } = freqMaskWidth;
    public int TimeMaskWidth { get; } = timeMaskWidth;

    /// <summary>(B, 1, F, T) → (B, 1, F, T) with the masked bins and frames set to 0.</summary>
    public Tensor Apply(Tensor x)
    {
        var parameters = new PackedParameters();
        var plan = Draw((int)x.shape[0], (int)x.shape[2], (int)x.shape[3], parameters);
        using var uploaded = parameters.Upload(x.device);
        return Run(x, uploaded, plan);
    }

    /// <summary>Where one batch's masks sit in a <see cref="PackedParameters"/> buffer: per clip frequency start and end, time start and end.</summary>
    internal readonly record struct Plan(int N, int F, int T, PackedParameters.Segment Bounds);

    /// <summary>Draws the masks of <paramref name="n"/> (F, T) clips (host only), in clip order, into <paramref name="into"/>.</summary>
    internal Plan Draw(int n, int f, int t, PackedParameters into)
    {
        // RandInt's bounds are inclusive. Per clip: frequency start, frequency end, time start, time end (end exclusive).
        var packed = new long[n * 4];
        for (int b = 0; b < n; b++)
        {
            var (fs, fe) = DrawMask(FreqMaskWidth, f);
            var (ts, te) = DrawMask(TimeMaskWidth, t);
            packed[b * 4] = fs;
            packed[b * 4 + 1] = fe;
            packed[b * 4 + 2] = ts;
            packed[b * 4 + 3] = te;
        }
        return new Plan(n, f, t, into.Add(packed));
    }

    /// <summary>Masks (B, 1, F, T) with a drawn plan whose bounds are in <paramref name="uploaded"/> (x's device).</summary>
    internal Tensor Run(Tensor x, Tensor uploaded, Plan plan)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0];
        int f = (int)x.shape[2], t = (int)x.shape[3];
        if (plan.N != n || plan.F != f || plan.T != t)
            throw new ArgumentException($"masks drawn for {plan.N} clips of {plan.F}×{plan.T}, input is {n} of {f}×{t}");
        var bounds = plan.Bounds.Of(uploaded, ScalarType.Int64).view(n, 4);
        using var k = new KeptScalars();
        var fi = ScalarSafeOps.Range(k.Of(f), ScalarType.Int64, x.device).view(1, f);       // (1, F)
        var ti = ScalarSafeOps.Range(k.Of(t), ScalarType.Int64, x.device).view(1, t);       // (1, T)
        var fMask = fi.ge(bounds[.., 0..1]).logical_and(fi.lt(bounds[.., 1..2])).view(n, 1, f, 1);
        var tMask = ti.ge(bounds[.., 2..3]).logical_and(ti.lt(bounds[.., 3..4])).view(n, 1, 1, t);
        return x.masked_fill(fMask.logical_or(tMask), k.Of(0f)).MoveToOuterDisposeScope();
    }

    /// <summary>A mask [start, start + width) with width uniform in [0, limit) (clipped to the axis) and a uniform start.</summary>
    (int Start, int End) DrawMask(int limit, int size)
    {
        if (limit <= 0) return (0, 0);
        int width = Math.Min(rng.RandInt(0, limit - 1), size);
        int start = rng.RandInt(0, size - width);
        return (start, start + width);
    }
}
