namespace ByolA.Audio;

/// <summary>
/// The windowed-sinc polyphase filters of torchaudio's default <c>Resample</c>, shared by <see cref="Resampler"/> (libtorch
/// conv1d) and <see cref="PolyphaseResampler"/> (managed). Kept free of TorchSharp types, so the managed path never loads libtorch.
/// </summary>
internal static class SincFilterBank
{
    /// <summary>
    /// The b filters of 2·w + a taps, row-major, and w. Computed in float64 and rounded once to float32 — except the
    /// output phase offsets −j/b, which the reference computes in float32 (an integer arange divided by an integer);
    /// keeping that rounding makes our filters identical to its float32 ones.
    /// </summary>
    public static (float[] Filters, int Width) Design(int a, int b, int lowpassFilterWidth, double rolloff)
    {
        double baseFreq = Math.Min(a, b) * rolloff;
        int width = (int)Math.Ceiling(lowpassFilterWidth * a / baseFreq);
        int taps = 2 * width + a;
        double scale = baseFreq / a;
        var filters = new float[b * taps];
        for (int j = 0; j < b; j++)
        {
            double phase = (float)(-j / (double)b);
            for (int m = 0; m < taps; m++)
            {
                double t = (phase + (double)(m - width) / a) * baseFreq;
                t = Math.Clamp(t, -lowpassFilterWidth, lowpassFilterWidth);
                double window = Math.Cos(t * Math.PI / lowpassFilterWidth / 2);
                window *= window;
                t *= Math.PI;
                double sinc = t == 0 ? 1.0 : Math.Sin(t) / t;
                filters[j * taps + m] = (float)(sinc * (window * scale));
            }
        }
        return (filters, width);
    }

    /// <summary>
    /// Validates the arguments and returns (a, b) = (from, to) / gcd. Both resamplers call it, so they
    /// refuse the same inputs with the same messages.
    /// </summary>
    public static (int A, int B) Reduce(int fromRate, int toRate, int lowpassFilterWidth, double rolloff)
    {
        if (fromRate <= 0 || toRate <= 0) throw new ArgumentOutOfRangeException(nameof(fromRate), $"sample rates must be positive (got {fromRate} → {toRate})");
        if (lowpassFilterWidth <= 0) throw new ArgumentOutOfRangeException(nameof(lowpassFilterWidth), lowpassFilterWidth, "must be positive");
        if (!(rolloff > 0 && rolloff <= 1)) throw new ArgumentOutOfRangeException(nameof(rolloff), rolloff, "must be in (0, 1]");
        int g = Gcd(fromRate, toRate);
        int a = fromRate / g, b = toRate / g;
        long taps = 2L * (long)Math.Ceiling(lowpassFilterWidth * a / (Math.Min(a, b) * rolloff)) + a;
        // Co-prime rates (e.g. 44101 → 16000) need b filters of ~a taps each: gigabytes, as in torchaudio. Refuse clearly.
        if (b * taps > Resampler.MaxKernelElements)
            throw new ByolAException($"resampling {fromRate} Hz → {toRate} Hz needs {b} filters of {taps} taps " +
                                     $"({b * taps * 4 / (1 << 20)} MiB) because the rates share no large common factor; " +
                                     "resample such files to a common rate (e.g. 48000 Hz) with another tool first");
        return (a, b);
    }

    static int Gcd(int x, int y)
    {
        while (y != 0) (x, y) = (y, x % y);
        return x;
    }
}
