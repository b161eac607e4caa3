using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Audio;

/// <summary>
/// Band-limited resampling between two integer rates, reproducing torchaudio's default <c>Resample</c>: windowed
/// sinc interpolation with a Hann window, <c>lowpass_filter_width</c> zero crossings (6) and a cutoff at
/// <c>rolloff</c> (0.99) of the lower Nyquist rate. With g = gcd(from, to), a = from/g input samples map to b = to/g
/// output samples through b polyphase filters of 2·w + a taps (w = ⌈width · a / (min(a, b) · rolloff)⌉), applied as one
/// strided conv1d over the zero-padded signal. Input (…, N) on any device → (…, ⌈N · b / a⌉) on the same device.
/// </summary>
public sealed class Resampler : nn.Module<Tensor, Tensor>
{
    /// <summary>The polyphase filters, (b, 1, 2·w + a), float32. A buffer, so it follows .to(device).</summary>
    Tensor kernel;

    /// <summary>Builds the filters for <paramref name="fromRate"/> → <paramref name="toRate"/> Hz.</summary>
    public Resampler(int fromRate, int toRate, int lowpassFilterWidth = 6, double rolloff = 0.99) : base(nameof(Resampler))
    {
        if (fromRate <= 0 || toRate <= 0) throw new ArgumentOutOfRangeException(nameof(fromRate), $"sample rates must be positive (got {fromRate} → {toRate})");
        if (lowpassFilterWidth <= 0) throw new ArgumentOutOfRangeException(nameof(lowpassFilterWidth), lowpassFilterWidth, "must be positive");
        if (!(rolloff > 0 && rolloff <= 1)) throw new ArgumentOutOfRangeException(nameof(rolloff), rolloff, "must be in (0, 1]");
        FromRate = fromRate;
        ToRate = toRate;
        int g = Gcd(fromRate, toRate);
        InputStride = fromRate / g;
        OutputPhases = toRate / g;
        long taps = 2L * (long)Math.Ceiling(lowpassFilterWidth * InputStride / (Math.Min(InputStride, OutputPhases) * rolloff)) + InputStride;
        // Co-prime rates (e.g. 44101 → 16000) need b filters of ~a taps each: gigabytes, as in torchaudio. Refuse clearly.
        if (OutputPhases * taps > MaxKernelElements)
            throw new ByolAException($"resampling {fromRate} Hz → {toRate} Hz needs {OutputPhases} filters of {taps} taps " +
                                     $"({OutputPhases * taps * 4 / (1 << 20)} MiB) because the rates share no large common factor; " +
                                     "resample such files to a common rate (e.g. 48000 Hz) with another tool first");
        var (filters, width) = SincKernel(InputStride, OutputPhases, lowpassFilterWidth, rolloff);
        Width = width;
        kernel = tensor(filters, [OutputPhases, 1, filters.Length / OutputPhases]);
        RegisterComponents();
    }

    /// <summary>Largest filter bank accepted, in float32 elements (256 MiB).</summary>
    public const long MaxKernelElements = 64L << 20;

    public int FromRate { get; }
    public int ToRate { get; }

    /// <summary>a = from / gcd: input samples consumed per block of <see cref="OutputPhases"/> outputs (the conv stride).</summary>
    public int InputStride { get; }

    /// <summary>b = to / gcd: output samples per block (the number of polyphase filters).</summary>
    public int OutputPhases { get; }

    /// <summary>w: zero padding on the left (and w + a on the right) of every signal.</summary>
    public int Width { get; }

    /// <summary>The filters, (b, 1, 2·w + a), on the module's device.</summary>
    public Tensor Kernel => kernel;

    /// <summary>Output length for <paramref name="samples"/> input samples: ⌈N · b / a⌉.</summary>
    public long OutputLength(long samples) => (samples * OutputPhases + InputStride - 1) / InputStride;

    /// <summary>(…, N) float32 → (…, ⌈N · b / a⌉) float32, batched over all leading axes, on the input's device.</summary>
    public override Tensor forward(Tensor waveform)
    {
        if (FromRate == ToRate) return waveform.alias();
        using var scope = NewDisposeScope();
        var shape = waveform.shape;
        long length = shape[^1];
        var k = kernel.device == waveform.device ? kernel : kernel.to(waveform.device);
        long rows = 1;
        for (int i = 0; i < shape.Length - 1; i++) rows *= shape[i];
        var x = waveform.reshape(rows, 1, length);
        if (x.dtype != k.dtype) x = x.to_type(k.dtype);
        x = nn.functional.pad(x, [Width, Width + InputStride]);
        var y = nn.functional.conv1d(x, k, stride: InputStride);        // (M, b, blocks)
        y = y.transpose(1, 2).reshape(rows, y.shape[1] * y.shape[2]);    // (M, b · blocks), phase fastest
        long target = OutputLength(length);
        var outShape = shape.ToArray();
        outShape[^1] = target;
        return y.narrow(1, 0, target).reshape(outShape).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The b filters of 2·w + a taps, row-major, and w. Computed in float64 and rounded once to float32 — except the
    /// output phase offsets −j/b, which the reference computes in float32 (an integer arange divided by an integer);
    /// keeping that rounding makes our filters identical to its float32 ones.
    /// </summary>
    internal static (float[] Filters, int Width) SincKernel(int a, int b, int lowpassFilterWidth, double rolloff)
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

    static int Gcd(int x, int y)
    {
        while (y != 0) (x, y) = (y, x % y);
        return x;
    }
}
