using ByolA.Configuration;
using TorchSharp;
using static TorchSharp.torch;
using ByolA.Runtime;

namespace ByolA.Audio;

/// <summary>
/// Waveform → log-mel spectrogram as BYOL-A computes it: power spectrogram of a centred STFT (reflect padding of
/// n_fft/2 each side, periodic Hann window of win_length, hop_length), times an HTK-scale triangular mel filterbank
/// without area normalisation, then <c>log(mel + eps)</c> with eps = float32 machine epsilon.
/// Input (N) or (B, N) float32 on any device; output (F, T) or (B, F, T) with F = n_mels and
/// T = 1 + N / hop_length (1.0 s at 16 kHz → 101 frames, 0.95 s → 96).
/// </summary>
internal sealed class LogMelSpectrogram : nn.Module<Tensor, Tensor>
{
    // Buffers, not parameters: no gradients, never trained, moved by .to(device). Persistent like torchaudio's
    // (TorchSharp 0.107 skips non-persistent buffers when moving a module, so those would stay on the CPU).
    // Not readonly: TorchSharp replaces the fields when the module moves.

    /// <summary>HTK mel filterbank, (n_fft/2 + 1, n_mels).</summary>
    Tensor mel_fb;

    /// <summary>Periodic Hann window, (win_length).</summary>
    Tensor window;

    readonly int nFft;
    readonly int winLength;
    readonly int hopLength;

    /// <summary>Builds the transform from sample_rate, n_fft, win_length, hop_length, n_mels, f_min, f_max (<see cref="ByolAConfig.FrontEnd"/>).</summary>
    public LogMelSpectrogram(FrontEndOptions config) : base(nameof(LogMelSpectrogram))
    {
        nFft = config.NFft;
        winLength = config.WinLength;
        hopLength = config.HopLength;
        NMels = config.NMels;
        mel_fb = HtkMelFilterbank(config.SampleRate, config.NFft, config.NMels, config.FMin, config.FMax);
        window = hann_window(winLength, periodic: true, dtype: float32);
        RegisterComponents();
    }

    /// <summary>Number of mel bins (F).</summary>
    public int NMels { get; }

    /// <summary>The mel filterbank buffer, (n_fft/2 + 1, n_mels), on the module's device.</summary>
    public Tensor MelFilterbank => mel_fb;

    /// <summary>Frames produced for <paramref name="samples"/> input samples: 1 + samples / hop_length.</summary>
    public long FramesFor(long samples) => 1 + samples / hopLength;

    /// <summary>(N) → (F, T) or (B, N) → (B, F, T).</summary>
    public override Tensor forward(Tensor wav)
    {
        if (wav.dim() is not (1 or 2))
            throw new ArgumentException($"LogMelSpectrogram expects (N) or (B, N) samples, got shape ({string.Join(", ", wav.shape)})", nameof(wav));
        return Compute(wav, center: true);
    }

    /// <summary>
    /// The same frames from samples the caller has already padded as centring would: (N + n_fft) → (F, 1 + N / hop)
    /// or batched. Long recordings are computed in chunks this way (each chunk with n_fft/2 samples of its
    /// neighbours, or of the reflection at the file's ends), giving exactly the frames of the whole file.
    /// </summary>
    public Tensor ForwardPrepadded(Tensor padded)
    {
        if (padded.dim() is not (1 or 2) || padded.shape[^1] < nFft)
            throw new ArgumentException($"LogMelSpectrogram expects (N) or (B, N) pre-padded samples with N >= {nFft}, got shape ({string.Join(", ", padded.shape)})", nameof(padded));
        return Compute(padded, center: false);
    }

    Tensor Compute(Tensor wav, bool center)
    {
        using var scope = NewDisposeScope();
        var fb = mel_fb;
        var win = window;
        // Tolerate an input on another device than the module rather than failing deep inside stft.
        if (fb.device != wav.device) { fb = fb.to(wav.device); win = win.to(wav.device); }
        var x = wav.dtype == fb.dtype ? wav : wav.to_type(fb.dtype);
        var spec = stft(x, nFft, hopLength, winLength, win, center: center, pad_mode: PaddingModes.Reflect,
            normalized: false, onesided: true, return_complex: true);
        var power = spec.abs().Squared();                               // (…, n_fft/2+1, T)
        // fbᵀ · power broadcasts over the batch and yields (…, F, T) contiguous, so log_ runs on dense memory;
        // the transposed product it replaces left a strided result (1.2× fewer frames/s).
        var mel = matmul(fb.t(), power);                             // (…, F, T)
        var result = mel.PlusEps().log_();
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// HTK-scale triangular mel filterbank without normalisation, (n_fft/2 + 1, n_mels), float32 on the CPU:
    /// n_mels + 2 points equally spaced in mel = 2595·log10(1 + f/700) between f_min and f_max, and for each bin
    /// frequency (linspace(0, sr/2, n_fft/2 + 1)) the triangle max(0, min(rising, falling)) of its neighbours.
    /// </summary>
    public static Tensor HtkMelFilterbank(int sampleRate, int nFft, int nMels, double fMin, double fMax)
    {
        using var scope = NewDisposeScope();
        using var k = new KeptScalars();
        int nFreqs = nFft / 2 + 1;
        // float32 throughout, like the reference, so the filterbank agrees to the last bits.
        var allFreqs = linspace(0, sampleRate / 2, nFreqs, dtype: float32);
        double melMin = 2595.0 * Math.Log10(1.0 + fMin / 700.0);
        double melMax = 2595.0 * Math.Log10(1.0 + fMax / 700.0);
        var melPts = tensor(ReferenceLinspace(melMin, melMax, nMels + 2));
        // 10.0f becomes a 0-d tensor (TorchSharp has no pow(Scalar, Tensor)), not a Scalar.
        var fPts = k.Of(700.0f) * (pow(10.0f, melPts / k.Of(2595.0f)) - k.Of(1.0f));
        var fDiff = fPts[1..] - fPts[..^1];                         // (n_mels + 1)
        var slopes = fPts.unsqueeze(0) - allFreqs.unsqueeze(1);     // (n_freqs, n_mels + 2)
        var down = -slopes[.., ..^2] / fDiff[..^1];
        var up = slopes[.., 2..] / fDiff[1..];
        var fb = clamp_min(minimum(down, up), k.Of(0));
        return fb.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// float32 linspace exactly as the reference's PyTorch 1.13 CPU kernel produced it (AVX2, 8 lanes): each block of
    /// 8 starts at <c>start + step·i</c> (first half) or <c>end − step·(n−1−i)</c> (second half) and adds
    /// <c>lane·step</c>; the tail is scalar. Today's libtorch rounds a few points differently, which moved the
    /// filterbank by up to 5e-6; with this the golden <c>mel_fb</c> is reproduced bit for bit.
    /// </summary>
    internal static float[] ReferenceLinspace(double start, double end, int steps)
    {
        const int lanes = 8;
        float s = (float)start, e = (float)end;
        var result = new float[steps];
        if (steps == 1) { result[0] = s; return result; }
        float step = (e - s) / (steps - 1);
        int half = steps / 2, i = 0;
        for (; i + lanes <= steps; i += lanes)
        {
            float b = i < half ? s + step * i : e - step * (steps - i - 1);
            for (int lane = 0; lane < lanes; lane++) result[i + lane] = b + lane * step;
        }
        for (; i < steps; i++) result[i] = i < half ? s + step * i : e - step * (steps - i - 1);
        return result;
    }
}
