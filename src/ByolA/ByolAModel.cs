using ByolA.Embedding;
using ByolA.Runtime;
using ByolA.Audio;
using ByolA.Data;
using ByolA.Configuration;
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
    readonly IEmbeddingEngine engine;

    ByolAModel(IEmbeddingEngine engine, NormStats stats, ByolAConfig config)
    {
        this.engine = engine;
        Stats = stats;
        Config = config;
    }

    /// <summary>
    /// Loads encoder weights (a PyTorch .pth state dict, or an exported .onnx model) for embedding with normalisation
    /// <paramref name="stats"/> (see <see cref="ComputeStats"/>). <paramref name="config"/> gives the sample rate and
    /// log-mel parameters (default: BYOL-A's, 16 kHz and 64 mel bins, for v1 and v2 alike); <paramref name="device"/>
    /// defaults to the CPU (an .onnx model runs on the CPU and refuses a CUDA device).
    /// </summary>
    /// <exception cref="ByolAException">The weights cannot be read or do not fit the config, or TorchSharp's native runtime is missing.</exception>
    public static ByolAModel Load(string weightsPath, NormStats stats, ByolAConfig? config = null, Device? device = null)
    {
        config ??= ByolAConfig.V1;
        stats.Validate();
        // The device is a TorchSharp object: it is only read when one is given (an .onnx model must not load libtorch).
        var spec = device is null ? DeviceSpec.Cpu : device.type == DeviceType.CUDA ? new DeviceSpec(DeviceKind.Cuda, device.index) : DeviceSpec.Cpu;
        var engine = WithRuntime(() => EmbeddingEngine.Open(weightsPath, new EngineOptions
        {
            Config = config, Device = spec, TorchDevice = device, SetUpProcess = false,
        }));
        return new ByolAModel(engine, stats, config);
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
    public int SceneEmbeddingSize => engine.FeatureD;

    /// <summary>Width of a timestamp (frame) embedding (the encoder's d).</summary>
    public int TimestampEmbeddingSize => SceneEmbeddingSize;

    /// <summary>Milliseconds between consecutive timestamp embeddings: 80 for v1 weights, 40 for v2.</summary>
    public double TimestampHopMs => FrameEmbedder.FrameHopMsFor(Config, engine.FrameStride);

    /// <summary>"AudioNTT2020" (v1) or "AudioNTT2022" (v2); an ONNX model's kind as exported (e.g. "AudioNTT2020X").</summary>
    public string Architecture => engine.Architecture;

    /// <summary>Whether this model runs in ONNX Runtime (an <c>.onnx</c> file) rather than TorchSharp.</summary>
    public bool IsOnnx => engine is OnnxRuntimeEngine;

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
        return audio.Select(sound => engine.Whole(sound, Stats)).ToArray();
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
            var rows = new List<float[]>();
            foreach (var chunk in engine.FrameChunks(audio[i], Stats))
            {
                int d = (int)chunk.RowLength;
                for (int j = 0; j < chunk.Rows; j++) rows.Add(chunk.Values.AsSpan(j * d, d).ToArray());
            }
            embeddings[i] = [.. rows];
            times[i] = FrameEmbedder.FrameTimesMs(rows.Count, engine.FrameStride, Config);
        }
        return new TimestampEmbeddingResult(embeddings, times);
    }

    /// <summary>
    /// The scene embedding (d) of an audio file: a mono WAV at <see cref="SampleRate"/> (run <c>byola convert-wav</c> on
    /// other WAVs), or FLAC, MP3, Ogg Vorbis, Opus or anything ffmpeg reads, decoded and made mono at the rate as convert-wav would.
    /// </summary>
    public float[] EmbedFile(string path) => SceneEmbeddings([AudioLoader.LoadMono(path, SampleRate, AudioConversion.ToMono)], SampleRate)[0];

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

    public void Dispose() => engine.Dispose();
}
