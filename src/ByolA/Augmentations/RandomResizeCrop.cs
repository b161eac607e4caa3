using static TorchSharp.torch;
using ByolA.Runtime;

namespace ByolA.Augmentations;

/// <summary>
/// BYOL-A RandomResizeCrop: the sample is centred on a zero canvas <c>(int(F·vs₀), int(T·vs₁))</c>, a random
/// box with height <c>int(U(freq_scale)·F)</c> and width <c>int(U(time_scale)·T)</c> is cut out and resized back to
/// (F, T) with bicubic interpolation (align_corners, coefficient −0.75, indices clamped to the box).
/// <para>
/// Batched form: bicubic resizing of a box is linear and separable, so each sample becomes
/// <c>R_f · x · R_tᵀ</c> with per-sample interpolation matrices R_f (F, F) and R_t (T, T) that are built on the
/// device from the (B, 4) box parameters; columns of the canvas outside the sample are zero and drop out. One
/// batched matmul pair replaces B separate interpolate calls and keeps the work on the device.
/// </para>
/// </summary>
internal sealed class RandomResizeCrop(
    IRandomSource rng,
    (double Freq, double Time)? virtualCropScale = null,
    (double Min, double Max)? freqScale = null,
    (double Min, double Max)? timeScale = null)
{
    public (double Freq, double Time) VirtualCropScale { get; } = virtualCropScale ?? (1.0, 1.5);
    public (double Min, double Max) FreqScale { get; } = freqScale ?? (0.6, 1.5);
    public (double Min, double Max) TimeScale { get; } = timeScale ?? (0.6, 1.5);

    /// <summary>The canvas size for a (F, T) sample.</summary>
    public (int F, int T) Canvas(int f, int t) => ((int)(f * VirtualCropScale.Freq), (int)(t * VirtualCropScale.Time));

    /// <summary>Draws one box for a (F, T) sample: h, then w, then i, then j.</summary>
    public CropBox Draw(int f, int t)
    {
        var (cf, ct) = Canvas(f, t);
        int h = Math.Clamp((int)(rng.Uniform(FreqScale.Min, FreqScale.Max) * f), 1, cf);
        int w = Math.Clamp((int)(rng.Uniform(TimeScale.Min, TimeScale.Max) * t), 1, ct);
        int i = cf - h > 0 ? rng.RandInt(0, cf - h) : 0;
        int j = ct - w > 0 ? rng.RandInt(0, ct - w) : 0;
        return new CropBox(i, j, h, w);
    }

    /// <summary>Crops and resizes (B, 1, F, T) or (1, F, T) with one random box per sample.</summary>
    public Tensor Apply(Tensor input)
    {
        var shape = input.shape;
        int n = input.dim() == 3 ? 1 : (int)shape[0];
        var parameters = new PackedParameters();
        var plan = Draw(n, (int)shape[^2], (int)shape[^1], parameters);
        using var uploaded = parameters.Upload(input.device);
        return Run(input, uploaded, plan);
    }

    /// <summary>Crops and resizes with given boxes (one per sample, canvas coordinates).</summary>
    public Tensor Apply(Tensor input, IReadOnlyList<CropBox> boxes)
    {
        var parameters = new PackedParameters();
        var plan = Prepare(boxes, (int)input.shape[^2], (int)input.shape[^1], parameters);
        using var uploaded = parameters.Upload(input.device);
        return Run(input, uploaded, plan);
    }

    /// <summary>Where one batch's boxes sit in a <see cref="PackedParameters"/> buffer (for (F, T) samples).</summary>
    internal readonly record struct Plan(int N, int F, int T, PackedParameters.Segment I, PackedParameters.Segment J,
        PackedParameters.Segment H, PackedParameters.Segment W);

    /// <summary>Draws <paramref name="n"/> boxes for (F, T) samples (host only), in sample order.</summary>
    internal Plan Draw(int n, int f, int t, PackedParameters into)
    {
        var boxes = new CropBox[n];
        for (int b = 0; b < n; b++) boxes[b] = Draw(f, t);
        return Prepare(boxes, f, t, into);
    }

    /// <summary>Checks that the boxes fit the canvas and packs them.</summary>
    internal Plan Prepare(IReadOnlyList<CropBox> boxes, int f, int t, PackedParameters into)
    {
        var (cf, ct) = Canvas(f, t);
        foreach (var box in boxes)
            if (box.H < 1 || box.W < 1 || box.I < 0 || box.J < 0 || box.I + box.H > cf || box.J + box.W > ct)
                throw new ArgumentOutOfRangeException(nameof(boxes), $"{box} does not fit the {cf}×{ct} canvas");
        return new Plan(boxes.Count, f, t, into.Add(boxes.Select(b => b.I)), into.Add(boxes.Select(b => b.J)),
            into.Add(boxes.Select(b => b.H)), into.Add(boxes.Select(b => b.W)));
    }

    /// <summary>Crops and resizes with a prepared plan whose boxes are in <paramref name="uploaded"/> (input's device).</summary>
    internal Tensor Run(Tensor input, Tensor uploaded, Plan plan)
    {
        using var scope = NewDisposeScope();
        var x = Batch.Of(input, nameof(RandomResizeCrop));
        long n = x.shape[0], c = x.shape[1];
        int f = (int)x.shape[2], t = (int)x.shape[3];
        if (plan.N != n) throw new ArgumentException($"{plan.N} crop boxes for a batch of {n}");
        if (plan.F != f || plan.T != t) throw new ArgumentException($"crop boxes drawn for {plan.F}×{plan.T}, input is {f}×{t}");
        var (cf, ct) = Canvas(f, t);

        var rf = InterpolationMatrix(plan.I.Of(uploaded, ScalarType.Int64), plan.H.Of(uploaded, ScalarType.Int64), f, (cf - f) / 2, f, x.dtype);   // (B, F, F)
        var rt = InterpolationMatrix(plan.J.Of(uploaded, ScalarType.Int64), plan.W.Of(uploaded, ScalarType.Int64), t, (ct - t) / 2, t, x.dtype);   // (B, T, T)

        // Width first, then height: the order of PyTorch's separable bicubic kernel.
        var flat = x.reshape(n, c * f, t);
        var alongTime = flat.bmm(rt.transpose(1, 2)).reshape(n, c, f, t);
        var result = rf.unsqueeze(1).matmul(alongTime);
        return Batch.Restore(result, input).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// (B, outSize, srcSize): row o holds the bicubic weights that resize canvas[start, start + length) to outSize
    /// samples (align_corners), expressed over the sample's own positions (canvas index − srcOffset).
    /// </summary>
    internal static Tensor InterpolationMatrix(Tensor start, Tensor length, int outSize, int srcOffset, int srcSize, ScalarType dtype)
    {
        const float A = -0.75f;
        var dev = start.device;
        long n = start.shape[0];
        using var ks = new KeptScalars();
        var len = length.unsqueeze(1);                                  // (B, 1) int64
        var last = len - ks.Of(1);
        // PyTorch: scale = float(in − 1) / (out − 1), src = scale · o, both in float32.
        var scale = outSize > 1 ? last.to_type(ScalarType.Float32) / ks.Of((float)(outSize - 1)) : zeros_like(last, ScalarType.Float32);
        var real = scale * ScalarSafeOps.Range(ks.Of(outSize), ScalarType.Float32, dev).unsqueeze(0);   // (B, O)
        var idx0 = minimum(real.floor().to_type(ScalarType.Int64), last);
        var tt = (real - idx0.to_type(ScalarType.Float32)).clamp(ks.Of(0f), ks.Of(1f));
        // The four bicubic taps at distances t + 1, t, 1 − t and (1 − t) + 1.
        var coeffs = new[]
        {
            Cubic2(tt.Plus(ks.Of(1f)), A, ks), Cubic1(tt, A, ks), Cubic1(ks.Of(1f).Minus(tt), A, ks), Cubic2(ks.Of(1f).Minus(tt).Plus(ks.Of(1f)), A, ks),
        };
        var m = zeros(new long[] { n, outSize, srcSize }, ScalarType.Float32, dev);
        var zero = zeros_like(idx0);
        for (int j = 0; j < 4; j++)
        {
            var inBox = minimum(maximum(idx0.Plus(ks.Of(j - 1)), zero), last.expand_as(idx0));
            var col = inBox.Plus(start.unsqueeze(1)) - ks.Of(srcOffset);
            var valid = col.ge(ks.Of(0)).logical_and(col.lt(ks.Of(srcSize)));
            var w = where(valid, coeffs[j], zeros_like(coeffs[j]));
            m.scatter_add_(2, col.clamp(ks.Of(0), ks.Of(srcSize - 1)).unsqueeze(-1), w.unsqueeze(-1));
        }
        return m.to_type(dtype);
    }

    static Tensor Cubic1(Tensor x, float a, KeptScalars k) => ((k.Of(a + 2) * x - k.Of(a + 3)) * x * x).Plus(k.Of(1));   // ((a+2)x − (a+3))x² + 1

    static Tensor Cubic2(Tensor x, float a, KeptScalars k) => ((k.Of(a) * x - k.Of(5 * a)) * x).Plus(k.Of(8 * a)) * x - k.Of(4 * a);   // ((ax − 5a)x + 8a)x − 4a
}
