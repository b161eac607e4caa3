using static TorchSharp.torch;
using ByolA.Runtime;

namespace ByolA.Augmentations;

/// <summary>
/// BYOL-A v2 RandomLinearFader: adds a linear gain ramp in the log domain,
/// <c>x + linspace(head, tail, T)</c> along time, with head and tail ~ U(−1, 1)·gain per sample.
/// </summary>
internal sealed class RandomLinearFader(IRandomSource rng, double gain = 1.0)
{
    public double Gain { get; } = gain;

    /// <summary>Fades (B, 1, F, T) or (1, F, T); draws head then tail per sample.</summary>
    public Tensor Apply(Tensor input)
    {
        var parameters = new PackedParameters();
        var plan = Draw(input.dim() == 3 ? 1 : (int)input.shape[0], parameters);
        using var uploaded = parameters.Upload(input.device);
        return Run(input, uploaded, plan);
    }

    /// <summary>Fades with given per-sample head and tail gains.</summary>
    public Tensor Apply(Tensor input, float[] head, float[] tail)
    {
        if (head.Length != tail.Length) throw new ArgumentException("one head and one tail per sample");
        var parameters = new PackedParameters();
        var plan = new Plan(head.Length, parameters.Add(head), parameters.Add(tail));
        using var uploaded = parameters.Upload(input.device);
        return Run(input, uploaded, plan);
    }

    /// <summary>Where one batch's gains sit in a <see cref="PackedParameters"/> buffer.</summary>
    internal readonly record struct Plan(int N, PackedParameters.Segment Head, PackedParameters.Segment Tail);

    /// <summary>Draws head then tail for each of <paramref name="n"/> samples (host only).</summary>
    internal Plan Draw(int n, PackedParameters into)
    {
        var head = new float[n];
        var tail = new float[n];
        for (int b = 0; b < n; b++)
        {
            head[b] = (float)(rng.Uniform(-1, 1) * Gain);
            tail[b] = (float)(rng.Uniform(-1, 1) * Gain);
        }
        return new Plan(n, into.Add(head), into.Add(tail));
    }

    /// <summary>Fades with a prepared plan whose gains are in <paramref name="uploaded"/> (on the input's device).</summary>
    internal Tensor Run(Tensor input, Tensor uploaded, Plan plan)
    {
        using var scope = NewDisposeScope();
        var x = Batch.Of(input, nameof(RandomLinearFader));
        long n = x.shape[0], t = x.shape[3];
        if (plan.N != n) throw new ArgumentException("one head and one tail per sample");
        var dev = x.device;
        using var k = new KeptScalars();
        var h = plan.Head.Of(uploaded, ScalarType.Float32).view(n, 1);
        var e = plan.Tail.Of(uploaded, ScalarType.Float32).view(n, 1);
        // torch.linspace's two-sided formula: the first half counts up from head, the second down from tail.
        var idx = ScalarSafeOps.Range(k.Of(t), ScalarType.Float32, dev).unsqueeze(0);
        var step = t > 1 ? (e - h) / k.Of((float)(t - 1)) : zeros_like(h);
        var up = h.Plus(step * idx);
        var down = e - step * k.Of(t - 1).Minus(idx);
        var ramp = where(idx.lt(k.Of(t / 2)), up, down);
        var result = x.Plus(ramp.to_type(x.dtype).view(n, 1, 1, t));
        return Batch.Restore(result, input).MoveToOuterDisposeScope();
    }
}
