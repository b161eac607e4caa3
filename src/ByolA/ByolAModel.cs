using ByolA.Weights;
using ByolA.Audio;
using ByolA.Data;
using ByolA.Configuration;
using ByolA.Evaluation;
using ByolA.Models;
using ByolA.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA;

/// <summary>
/// A BYOL-A encoder ready to embed audio, in the shape of the HEAR benchmark API: load weights and normalisation
/// stats once, then <see cref="SceneEmbeddings"/> (one vector per sound), <see cref="TimestampEmbeddings"/> (frame
/// vectors with their times) or <see cref="EmbedFile"/>. Sounds of any length are embedded whole (no crop to
/// unit_sec), in chunks of bounded memory; a scene embedding is the max plus the mean of the sound's frames, as
/// BYOL-A pools clips. Weights: the official files, <c>byola train</c> outputs or any AudioNTT2020/AudioNTT2022
/// state dict (architecture and d are read from the weights), or a model exported by <c>byola export</c>
/// (<c>.onnx</c>), which runs in ONNX Runtime on the CPU without loading libtorch.
/// <code>
/// using var model = ByolAModel.Load("AudioNTT2020-BYOLA-64x96d2048.pth", new NormStats(-5.4919195, 5.0389895));
/// float[] embedding = model.EmbedFile("speech.wav");   // 16 kHz mono WAV
/// </code>
/// </summary>
public sealed class ByolAModel : IDisposable
{
    // One engine or the other: TorchSharp (a .pth: loaded + frames) or ONNX Runtime (an .onnx: scene, and frames on
    // first use, since an exported model has the frame output only when it was exported with it).
    readonly LoadedEncoder? loaded;
    readonly FrameEmbedder? frames;
    readonly OnnxEncoder? onnxScene;
    readonly Lazy<OnnxEncoder>? onnxFrames;

    ByolAModel(LoadedEncoder loaded, NormStats stats, ByolAConfig config, Device device)
    {
        this.loaded = loaded;
        Stats = stats;
        Config = config;
        frames = new FrameEmbedder(loaded.Encoder, stats, config, device);
        Architecture = loaded.Architecture;
        SceneEmbeddingSize = frames.FeatureD;
        FrameStride = frames.FrameStride;
    }

    ByolAModel(string onnxPath, NormStats stats, ByolAConfig config)
    {
        Stats = stats;
        Config = config;
        onnxScene = OnnxEncoder.Open(onnxPath, config, (stats.Mean, stats.Std), frames: false, threads: 0);
        var info = onnxScene.Info;
        onnxFrames = new(() => info.HasFrames
            ? OnnxEncoder.Open(onnxPath, config, (stats.Mean, stats.Std), frames: true, threads: 0)
            : throw new ByolAException($"{onnxPath}: the model has no frame output, so no timestamp embeddings; export it again with its frame output (the frames option of byola export)"));
        Architecture = info.ModelKind;
        SceneEmbeddingSize = info.FeatureD;
        FrameStride = info.FrameStride;
    }

    /// <summary>
    /// Loads encoder weights (a PyTorch .pth state dict) for embedding with normalisation <paramref name="stats"/>
    /// (see <see cref="ComputeStats"/>). <paramref name="config"/> gives the sample rate and log-mel parameters
    /// (default: BYOL-A's, 16 kHz and 64 mel bins, for v1 and v2 alike); <paramref name="device"/> defaults to the CPU.
    /// </summary>
    /// <exception cref="ByolAException">The weights cannot be read or do not fit the config, or TorchSharp's native runtime is missing.</exception>
    public static ByolAModel Load(string weightsPath, NormStats stats, ByolAConfig? config = null, Device? device = null)
    {
        config ??= ByolAConfig.V1;
        stats.Validate();
        if (OnnxModelFile.IsOnnx(weightsPath))
        {
            // Device is a TorchSharp struct: comparing it with the CPU's would load libtorch, which an ONNX model must not.
            if (device is not null)
                throw new ByolAException($"{weightsPath}: an ONNX model runs in ONNX Runtime on the CPU; leave the device out");
            return new ByolAModel(weightsPath, stats, config);
        }
        EncoderWeights.RequireSampleRate(weightsPath, config.SampleRate);
        var loaded = WithRuntime(() => EncoderLoader.Load(weightsPath, device ?? CPU));
        try
        {
            return new ByolAModel(loaded, stats, config, device ?? CPU);
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Normalisation stats computed from the <c>.wav</c> files below <paramref name="folder"/> (e.g. your training
    /// data), as the BYOL-A evaluation does: mean and std of the log-mel of up to 10000 files, each cropped or
    /// padded to unit_sec (seeded).
    /// </summary>
    public static NormStats ComputeStats(string folder, ByolAConfig? config = null, Device? device = null) =>
        WithRuntime(() => NormStatsCalculator.Compute(EmbedderInputs.Expand([folder]), config ?? ByolAConfig.V1, device ?? CPU));

    /// <summary>Samples per second the audio must have (16000).</summary>
    public int SampleRate => Config.SampleRate;

    /// <summary>Width of a scene embedding (the encoder's d).</summary>
    public int SceneEmbeddingSize { get; }

    /// <summary>Width of a timestamp (frame) embedding (the encoder's d).</summary>
    public int TimestampEmbeddingSize => SceneEmbeddingSize;

    /// <summary>Milliseconds between consecutive timestamp embeddings: 80 for v1 weights, 40 for v2.</summary>
    public double TimestampHopMs => FrameEmbedder.FrameHopMsFor(Config, FrameStride);

    /// <summary>"AudioNTT2020" (v1) or "AudioNTT2022" (v2); an ONNX model's kind as exported (e.g. "AudioNTT2020X").</summary>
    public string Architecture { get; }

    /// <summary>Whether this model runs in ONNX Runtime (an <c>.onnx</c> file) rather than TorchSharp.</summary>
    public bool IsOnnx => onnxScene != null;

    int FrameStride { get; }

    /// <summary>The normalisation stats in use.</summary>
    public NormStats Stats { get; }

    /// <summary>The sample rate and log-mel parameters in use.</summary>
    public ByolAConfig Config { get; }

    /// <summary>
    /// One embedding per sound: <paramref name="audio"/> is n mono sounds of any lengths at
    /// <paramref name="sampleRate"/> (which must be <see cref="SampleRate"/>); the result is (n, d).
    /// </summary>
    public float[][] SceneEmbeddings(IReadOnlyList<float[]> audio, int sampleRate)
    {
        CheckRate(sampleRate);
        if (onnxScene != null)
            // One pass over the whole sound: the exported encoder pools max + mean over all its frames.
            return audio.Select(sound => RunOnnx(onnxScene, sound).Values).ToArray();
        return audio.Select(sound =>
        {
            using var whole = frames!.Whole(sound);
            return whole.data<float>().ToArray();
        }).ToArray();
    }

    /// <summary>
    /// Frame embeddings of each sound every <see cref="TimestampHopMs"/> ms with their centre times:
    /// (n, T, d) embeddings and (n, T) times in ms for n sounds of T frames each.
    /// </summary>
    public TimestampEmbeddingResult TimestampEmbeddings(IReadOnlyList<float[]> audio, int sampleRate)
    {
        CheckRate(sampleRate);
        var embeddings = new float[audio.Count][][];
        var times = new float[audio.Count][];
        for (int i = 0; i < audio.Count; i++)
        {
            float[] flat;
            int t, d;
            if (onnxFrames != null)
            {
                var (values, shape) = RunOnnx(onnxFrames.Value, audio[i]);   // (1, T', d)
                (flat, t, d) = (values, (int)shape[1], (int)shape[2]);
            }
            else
            {
                using var all = frames!.Frames(audio[i]);
                (flat, t, d) = (all.data<float>().ToArray(), (int)all.shape[0], (int)all.shape[1]);
            }
            embeddings[i] = Enumerable.Range(0, t).Select(j => flat.AsSpan(j * d, d).ToArray()).ToArray();
            times[i] = FrameEmbedder.FrameTimesMs(t, FrameStride, Config);
        }
        return new TimestampEmbeddingResult(embeddings, times);
    }

    /// <summary>
    /// The scene embedding (d) of an audio file: a mono WAV at <see cref="SampleRate"/> (run <c>byola convert-wav</c> on
    /// other WAVs), or FLAC, MP3, Ogg Vorbis, Opus or anything ffmpeg reads, decoded and made mono at the rate as convert-wav would.
    /// </summary>
    public float[] EmbedFile(string path) => SceneEmbeddings([AudioLoader.LoadMono(path, SampleRate, convert: AudioConversion.ToMono)], SampleRate)[0];

    /// <summary>One sound through an ONNX session, zero-padded at its end to the shortest length the encoder takes.</summary>
    (float[] Values, long[] Shape) RunOnnx(OnnxEncoder encoder, float[] sound)
    {
        var x = FrameEmbedder.PadToMinimum(sound, Config, FrameStride);
        return encoder.Embed(x, 1, x.Length);
    }

    void CheckRate(int sampleRate)
    {
        if (sampleRate != SampleRate)
            throw new ArgumentException($"audio at {sampleRate} Hz: the model takes {SampleRate} Hz; resample it first (byola convert-wav does for files)", nameof(sampleRate));
    }

    static T WithRuntime<T>(Func<T> run)
    {
        try { return run(); }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException)
        {
            throw new ByolAException("TorchSharp's native runtime could not be loaded: " + (e.InnerException?.Message ?? e.Message) +
                ". Reference a libtorch package (e.g. libtorch-cpu-linux-x64) and rebuild; see the ByolA README, 'Troubleshooting'.", e);
        }
    }

    public void Dispose()
    {
        frames?.Dispose();
        loaded?.Dispose();
        onnxScene?.Dispose();
        if (onnxFrames is { IsValueCreated: true }) onnxFrames.Value.Dispose();
    }
}
