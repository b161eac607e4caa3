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
internal sealed class Resampler : nn.Module<Tensor, Tensor>
{
    /// <summary>The polyphase filters, (b, 1, 2·w + a), float32. A buffer, so it follows .to(device).</summary>
    Tensor kernel;

    /// <summary>Builds the filters for <paramref name="fromRate"/> → <paramref name="toRate"/> Hz.</summary>
    public Resampler(int fromRate, int toRate, int lowpassFilterWidth = 6, double rolloff = 0.99) : base(nameof(Resampler))
    {
        (InputStride, OutputPhases) = SincFilterBank.Reduce(fromRate, toRate, lowpassFilterWidth, rolloff);
        FromRate = fromRate;
        ToRate = toRate;
        var (filters, width) = SincFilterBank.Design(InputStride, OutputPhases, lowpassFilterWidth, rolloff);
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
}
