using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ByolA.Audio;

/// <summary>
/// The same resampling as <see cref="Resampler"/> (torchaudio's default <c>Resample</c>: same filters, same zero padding,
/// same ⌈N · b / a⌉ output length), computed on the host in managed code without libtorch. The dense filters of 2·w + a taps
/// are mostly exact zeros (the Hann window is clamped at ±<c>lowpass_filter_width</c> zero crossings, e.g. ~34 of 475 taps
/// are nonzero for 44.1 → 16 kHz), so each output phase keeps only its nonzero span, and the products are summed in float64
/// and rounded once to float32. The sum is therefore at least as close to the exact result as libtorch's float32 conv1d;
/// the two differ by float32 rounding only (see the tests). Immutable, so one instance may serve many threads.
/// </summary>
internal sealed class PolyphaseResampler
{
    /// <summary>Lanes of the dot product; every phase's span is padded with zero taps to a multiple of this.</summary>
    const int Lanes = 4;

    /// <summary>(b, <see cref="Span"/>) coefficients in float64, row j = phase j's nonzero taps, zero-padded.</summary>
    readonly double[] coefficients;

    /// <summary>(b) offset of phase j's first nonzero tap within its dense filter of 2·w + a taps.</summary>
    readonly int[] firstTap;

    /// <summary>Builds the filters for <paramref name="fromRate"/> → <paramref name="toRate"/> Hz (as <see cref="Resampler"/>).</summary>
    public PolyphaseResampler(int fromRate, int toRate, int lowpassFilterWidth = 6, double rolloff = 0.99)
    {
        (InputStride, OutputPhases) = SincFilterBank.Reduce(fromRate, toRate, lowpassFilterWidth, rolloff);
        FromRate = fromRate;
        ToRate = toRate;
        var (filters, width) = SincFilterBank.Design(InputStride, OutputPhases, lowpassFilterWidth, rolloff);
        Width = width;
        int taps = filters.Length / OutputPhases;
        int b = OutputPhases;
        firstTap = new int[b];
        var lastTap = new int[b];
        int longest = 1;
        for (int j = 0; j < b; j++)
        {
            var row = filters.AsSpan(j * taps, taps);
            int first = row.IndexOfAnyExcept(0f), last = row.LastIndexOfAnyExcept(0f);
            if (first < 0) first = last = 0;
            firstTap[j] = first;
            lastTap[j] = last;
            longest = Math.Max(longest, last - first + 1);
        }
        Span = (longest + Lanes - 1) / Lanes * Lanes;
        coefficients = new double[b * Span];
        for (int j = 0; j < b; j++)
            for (int m = firstTap[j]; m <= lastTap[j]; m++)
                coefficients[j * Span + m - firstTap[j]] = filters[j * taps + m];
    }

    public int FromRate { get; }
    public int ToRate { get; }

    /// <summary>a = from / gcd: input samples consumed per block of <see cref="OutputPhases"/> outputs.</summary>
    public int InputStride { get; }

    /// <summary>b = to / gcd: output samples per block (the number of polyphase filters).</summary>
    public int OutputPhases { get; }

    /// <summary>w: zero padding on the left of every signal (as <see cref="Resampler.Width"/>).</summary>
    public int Width { get; }

    /// <summary>Taps evaluated per output sample: the longest nonzero span of any phase, rounded up to a multiple of 4.</summary>
    public int Span { get; }

    /// <summary>Output length for <paramref name="samples"/> input samples: ⌈N · b / a⌉.</summary>
    public long OutputLength(long samples) => (samples * OutputPhases + InputStride - 1) / InputStride;

    /// <summary>(N) → (⌈N · b / a⌉) samples, a new array. The same rate gives a copy.</summary>
    public float[] Resample(ReadOnlySpan<float> input)
    {
        var output = new float[OutputLength(input.Length)];
        Resample(input, output);
        return output;
    }

    /// <summary>(N) → (⌈N · b / a⌉) samples written to <paramref name="output"/>, which must have exactly that length.</summary>
    /// <remarks>Optimised on first call: a conversion run is too short for tiered compilation to pay off.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Resample(ReadOnlySpan<float> input, Span<float> output)
    {
        long target = OutputLength(input.Length);
        if (output.Length != target)
            throw new ArgumentException($"output holds {output.Length} samples; {input.Length} input samples give {target}", nameof(output));
        if (FromRate == ToRate)
        {
            input.CopyTo(output);
            return;
        }
        // x = [w zeros, input, zeros]: long enough for the last block's widest span (torch pads w + a on the right).
        int a = InputStride, b = OutputPhases, span = Span;
        int padded = Width + input.Length + Width + a + span;
        var buffer = ArrayPool<double>.Shared.Rent(padded);
        try
        {
            var x = buffer.AsSpan(0, padded);
            x[..Width].Clear();
            Widen(input, x.Slice(Width, input.Length));
            x[(Width + input.Length)..].Clear();
            int blocks = (int)((output.Length + b - 1) / b);
            // Output o = block · b + j reads x[block · a + firstTap[j] ..][..span]; the largest index is below
            // (N − 1) + (2·w + a) + span ≤ padded, so the unchecked reads in Dot4/Dot stay inside x.
            if ((long)(blocks - 1) * a + (2 * Width + a) + span > padded) throw new InvalidOperationException("resampler buffer too short");
            for (int block = 0, o = 0; block < blocks; block++)
            {
                int jEnd = Math.Min(b, output.Length - o), j = 0;
                ref double xBlock = ref x[block * a];
                // Four outputs at a time: independent sums overlap in the pipeline instead of waiting on one add chain.
                for (; j + 4 <= jEnd; j += 4, o += 4)
                    Dot4(ref xBlock, j, output.Slice(o, 4));
                for (; j < jEnd; j++, o++)
                    output[o] = (float)Dot(ref coefficients[j * span], ref Unsafe.Add(ref xBlock, firstTap[j]), span);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    /// <summary>float32 → float64, exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Widen(ReadOnlySpan<float> source, Span<double> destination)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + Vector256<float>.Count <= source.Length; i += Vector256<float>.Count)
            {
                var (lower, upper) = Vector256.Widen(Vector256.Create(source.Slice(i, Vector256<float>.Count)));
                lower.CopyTo(destination[i..]);
                upper.CopyTo(destination[(i + Vector256<double>.Count)..]);
            }
        for (; i < source.Length; i++) destination[i] = source[i];
    }

    /// <summary>Outputs for phases j … j + 3 of one block; each sum exactly as <see cref="Dot"/> computes it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void Dot4(ref double xBlock, int j, Span<float> output)
    {
        int span = Span;
        ref double c0 = ref coefficients[j * span];
        ref double c1 = ref Unsafe.Add(ref c0, span);
        ref double c2 = ref Unsafe.Add(ref c0, 2 * span);
        ref double c3 = ref Unsafe.Add(ref c0, 3 * span);
        ref double x0 = ref Unsafe.Add(ref xBlock, firstTap[j]);
        ref double x1 = ref Unsafe.Add(ref xBlock, firstTap[j + 1]);
        ref double x2 = ref Unsafe.Add(ref xBlock, firstTap[j + 2]);
        ref double x3 = ref Unsafe.Add(ref xBlock, firstTap[j + 3]);
        if (!Vector256.IsHardwareAccelerated)
        {
            output[0] = (float)Dot(ref c0, ref x0, span);
            output[1] = (float)Dot(ref c1, ref x1, span);
            output[2] = (float)Dot(ref c2, ref x2, span);
            output[3] = (float)Dot(ref c3, ref x3, span);
            return;
        }
        Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
        for (nuint i = 0; i < (nuint)span; i += Lanes)
        {
            a0 += Vector256.LoadUnsafe(ref c0, i) * Vector256.LoadUnsafe(ref x0, i);
            a1 += Vector256.LoadUnsafe(ref c1, i) * Vector256.LoadUnsafe(ref x1, i);
            a2 += Vector256.LoadUnsafe(ref c2, i) * Vector256.LoadUnsafe(ref x2, i);
            a3 += Vector256.LoadUnsafe(ref c3, i) * Vector256.LoadUnsafe(ref x3, i);
        }
        output[0] = (float)Reduce(a0);
        output[1] = (float)Reduce(a1);
        output[2] = (float)Reduce(a2);
        output[3] = (float)Reduce(a3);
    }

    /// <summary>The four lanes added pairwise, in the order <see cref="Dot"/>'s scalar branch uses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static double Reduce(Vector256<double> acc) => (acc.GetElement(0) + acc.GetElement(1)) + (acc.GetElement(2) + acc.GetElement(3));

    /// <summary>
    /// Σ c[i]·x[i] over a multiple-of-4 length, as four interleaved partial sums added pairwise at the end. The vector and
    /// scalar branches do the same float64 operations in the same order (no fused multiply-add), so results do not depend
    /// on the CPU's vector support.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static double Dot(ref double c, ref double x, int length)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<double>.Zero;
            for (nuint i = 0; i < (nuint)length; i += Lanes)
                acc += Vector256.LoadUnsafe(ref c, i) * Vector256.LoadUnsafe(ref x, i);
            return Reduce(acc);
        }
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int i = 0; i < length; i += Lanes)
        {
            s0 += Unsafe.Add(ref c, i) * Unsafe.Add(ref x, i);
            s1 += Unsafe.Add(ref c, i + 1) * Unsafe.Add(ref x, i + 1);
            s2 += Unsafe.Add(ref c, i + 2) * Unsafe.Add(ref x, i + 2);
            s3 += Unsafe.Add(ref c, i + 3) * Unsafe.Add(ref x, i + 3);
        }
        return (s0 + s1) + (s2 + s3);
    }
}
