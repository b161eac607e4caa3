using ByolA.Data;
using ByolA.Audio;
using ByolA.Configuration;
using ByolA.Models;
using TorchSharp;
using static TorchSharp.torch;
using ByolA.Runtime;

namespace ByolA.Embedding;

/// <summary>
/// Embeddings of audio of any length, without cropping it to unit_sec: frame embeddings at the encoder's own rate
/// (one per <see cref="FrameHopMs"/>: 80 ms for v1, 40 ms for v2) with their centre times, one whole-file embedding
/// (max + mean over all frames). The TorchSharp engine's way with sounds of any length.
/// <para>
/// Long audio is computed in chunks of about <see cref="ChunkFrames"/> log-mel frames, so memory stays bounded
/// whatever the length, and every frame equals the frame of a single pass over the whole file (float rounding
/// aside). Why that holds: the encoders' only operations across time are 3×3 convs with zero padding and 2×2
/// max-pools (BatchNorm in eval mode is a per-channel affine map, the MLP works per frame). An output frame j
/// therefore depends on log-mel frames [s·j − (s − 1), s·j + 2s − 2] (s = <see cref="FrameStride"/>; v1: 8j − 7 to
/// 8j + 14), so each chunk carries 2s frames of context on either side, starts on a multiple of s so the pooling grid
/// is the whole file's, and keeps only the frames whose inputs it fully holds. Each chunk's log-mel is computed from
/// its own samples plus n_fft/2 samples of its neighbours, reflected at the file's ends as centring does
/// (<see cref="LogMelSpectrogram.ForwardPrepadded"/>).
/// </para>
/// </summary>
internal sealed class FrameEmbedder : IDisposable
{
    /// <summary>Log-mel frames per chunk by default: about 41 s of audio, ~70 MB of first-conv activations.</summary>
    public const int DefaultChunkFrames = 4096;

    readonly IAudioEncoder encoder;
    readonly LogMelSpectrogram logMel;
    readonly NormStats stats;
    readonly Device device;
    readonly ByolAConfig config;
    readonly NumericPrecision precision;

    /// <param name="encoder">A loaded encoder; it is switched to eval mode for every call.</param>
    /// <param name="stats">Normalisation of the log-mel.</param>
    /// <param name="config">sample_rate, unit_sec and the log-mel parameters.</param>
    /// <param name="device">Where to compute; results always come back on the CPU.</param>
    /// <param name="chunkFrames">Log-mel frames per chunk (rounded down to a multiple of the frame stride).</param>
    /// <param name="precision">What the encoder computes in: bf16 runs it under autocast (frames come back FP32).</param>
    public FrameEmbedder(IAudioEncoder encoder, NormStats stats, ByolAConfig config, Device? device = null, int chunkFrames = DefaultChunkFrames,
        NumericPrecision precision = NumericPrecision.Fp32)
    {
        this.precision = precision;
        if (encoder.NMels != config.NMels)
            throw new ByolAException($"the encoder expects {encoder.NMels} mel bins but the config has n_mels {config.NMels}; set n_mels={encoder.NMels}");
        this.encoder = encoder;
        this.stats = stats.Validate();
        this.config = config;
        this.device = device ?? CPU;
        FrameStride = encoder.FrameStride;
        if (chunkFrames < 8 * FrameStride) throw new ByolAException($"chunks must hold at least {8 * FrameStride} log-mel frames (got {chunkFrames})");
        ChunkFrames = chunkFrames / FrameStride * FrameStride;
        logMel = new LogMelSpectrogram(config.FrontEnd);
        logMel.to(this.device);
    }

    /// <summary>The normalisation applied to the log-mel.</summary>
    public NormStats Stats => stats;

    /// <summary>Log-mel frames per input frame of the encoder (8 for v1, 4 for v2).</summary>
    public int FrameStride { get; }

    /// <summary>Log-mel frames computed per chunk (a multiple of <see cref="FrameStride"/>), context excluded.</summary>
    public int ChunkFrames { get; }

    /// <summary>Width d of every embedding.</summary>
    public int FeatureD => encoder.FeatureD;

    /// <summary>Samples per second the audio must have.</summary>
    public int SampleRate => config.SampleRate;

    /// <summary>Time between consecutive frames in ms: stride × hop_length / sample_rate (80 for v1, 40 for v2).</summary>
    public double FrameHopMs => FrameHopMsFor(config, FrameStride);

    /// <summary><see cref="FrameHopMs"/> for an encoder of <paramref name="frameStride"/> under <paramref name="config"/> (any engine).</summary>
    public static double FrameHopMsFor(ByolAConfig config, int frameStride) => 1000.0 * frameStride * config.HopLength / config.SampleRate;

    /// <summary>
    /// The shortest audio the encoder takes: enough samples for one output frame (and for the reflection of centring).
    /// Shorter audio is zero-padded at its end to this length (see <see cref="IsPadded"/>).
    /// </summary>
    public int MinSamples => MinSamplesFor(config, FrameStride);

    /// <summary><see cref="MinSamples"/> for an encoder of <paramref name="frameStride"/> under <paramref name="config"/> (any engine).</summary>
    public static int MinSamplesFor(ByolAConfig config, int frameStride) => Math.Max(config.NFft / 2 + 1, (frameStride - 1) * config.HopLength);

    /// <summary><paramref name="samples"/> zero-padded at its end to <see cref="MinSamplesFor"/> when shorter; else itself.</summary>
    public static float[] PadToMinimum(float[] samples, ByolAConfig config, int frameStride)
    {
        int min = MinSamplesFor(config, frameStride);
        if (samples.Length >= min) return samples;
        var result = new float[min];
        samples.CopyTo(result, 0);
        return result;
    }

    /// <summary>Whether audio of <paramref name="samples"/> samples is padded to <see cref="MinSamples"/>.</summary>
    public bool IsPadded(long samples) => samples < MinSamples;

    /// <summary>Frames produced for <paramref name="samples"/> samples: (1 + samples / hop) / stride, after padding.</summary>
    public long FrameCount(long samples) => (1 + Math.Max(samples, MinSamples) / config.HopLength) / FrameStride;

    /// <summary>
    /// Centre time of frame <paramref name="frame"/> in ms: the mean of the centres of the log-mel frames it pools
    /// (log-mel frame t is centred on sample t·hop), i.e. (stride·j + (stride − 1)/2)·hop / sample_rate.
    /// </summary>
    public float FrameCentreMs(long frame) => FrameCentreMs(frame, FrameStride, config);

    /// <summary>Centre times of the first <paramref name="count"/> frames, ms.</summary>
    public float[] FrameTimesMs(long count) => FrameTimesMs(count, FrameStride, config);

    /// <summary><see cref="FrameCentreMs(long)"/> for an encoder of <paramref name="frameStride"/> (any engine).</summary>
    public static float FrameCentreMs(long frame, int frameStride, ByolAConfig config) =>
        (float)(1000.0 * (frame * frameStride + (frameStride - 1) / 2.0) * config.HopLength / config.SampleRate);

    /// <summary><see cref="FrameTimesMs(long)"/> for an encoder of <paramref name="frameStride"/> (any engine).</summary>
    public static float[] FrameTimesMs(long count, int frameStride, ByolAConfig config)
    {
        var times = new float[count];
        for (long j = 0; j < count; j++) times[j] = FrameCentreMs(j, frameStride, config);
        return times;
    }

    /// <summary>
    /// Frame embeddings of mono audio at <see cref="SampleRate"/>, chunk by chunk: each item is (t, d) on the CPU, the
    /// next t frames in order; together <see cref="FrameCount"/> frames. Dispose each item.
    /// </summary>
    public IEnumerable<Tensor> FrameChunks(float[] samples)
    {
        var x = PadToMinimum(samples, config, FrameStride);
        long melFrames = 1 + x.Length / config.HopLength;
        long outFrames = melFrames / FrameStride;
        long chunkOut = ChunkFrames / FrameStride;
        long context = 2 * FrameStride;
        for (long j0 = 0; j0 < outFrames; j0 += chunkOut)
        {
            long j1 = Math.Min(outFrames, j0 + chunkOut);
            long a = Math.Max(0, j0 * FrameStride - context);
            long b = j1 == outFrames ? melFrames : Math.Min(melFrames, j1 * FrameStride + context);
            yield return EncodeRange(x, a, b, j0 - a / FrameStride, j1 - j0);
        }
    }

    /// <summary>All frame embeddings of the audio at once, (T, d) on the CPU (memory grows with the length).</summary>
    public Tensor Frames(float[] samples)
    {
        using var scope = NewDisposeScope();
        var parts = FrameChunks(samples).ToList();
        return (parts.Count == 1 ? parts[0] : cat(parts, 0)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One embedding of the whole audio, (d) on the CPU: max over all frames plus their mean, as clips are pooled
    /// (<see cref="TemporalPooling.MaxPlusMean"/>), accumulated chunk by chunk (sum in float64).
    /// </summary>
    public Tensor Whole(float[] samples)
    {
        using var scope = NewDisposeScope();
        Tensor? max = null, sum = null;
        long count = 0;
        foreach (var chunk in FrameChunks(samples))
        {
            var (m, _) = chunk.max(0L);
            var s = chunk.to_type(float64).sum([0L]);     // not sum(0): a literal 0 binds to sum(ScalarType)
            max = max is null ? m : maximum(max, m);
            sum = sum is null ? s : sum.Plus(s);
            count += chunk.shape[0];
        }
        using var k = new KeptScalars();
        return max!.Plus((sum! / k.Of(count)).to_type(float32)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Encodes log-mel frames [a, b) of <paramref name="x"/> and returns <paramref name="count"/> output frames from
    /// <paramref name="skip"/> on, (count, d) on the CPU.
    /// </summary>
    Tensor EncodeRange(float[] x, long a, long b, long skip, long count)
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        encoder.Module.eval();
        var padded = CentredSlice(x, a * config.HopLength, (b - 1) * config.HopLength + config.NFft, config.NFft / 2);
        var lms = stats.Normalise(logMel.ForwardPrepadded(tensor(padded).to(device)));   // (F, b − a)
        Tensor frames;
        using (Autocast.Region(device, precision))
            frames = encoder.Frames(lms.unsqueeze(0).unsqueeze(0)).to(ScalarType.Float32);   // (1, (b − a) / s, d)
        return frames[0].narrow(0, skip, count).cpu().contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Samples [from, to) of <paramref name="x"/> padded by <paramref name="pad"/> on both ends with reflection
    /// (x[−i] = x[i], x[n − 1 + i] = x[n − 1 − i]), as torch's centred STFT pads, without building the padded whole.
    /// </summary>
    static float[] CentredSlice(float[] x, long from, long to, int pad)
    {
        var result = new float[to - from];
        int n = x.Length;
        long lo = Math.Clamp(pad, from, to), hi = Math.Clamp((long)pad + n, lo, to);
        Array.Copy(x, lo - pad, result, lo - from, hi - lo);
        for (long p = from; p < lo; p++) result[p - from] = x[pad - p];
        for (long p = hi; p < to; p++) result[p - from] = x[2L * (n - 1) - (p - pad)];
        return result;
    }


    public void Dispose() => logMel.Dispose();
}
