using ByolA.Audio;
using ByolA.Configuration;
using ByolA.Data;
using ByolA.Models;
using ByolA.Progress;
using ByolA.Runtime;
using ByolA.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Embedding;

/// <summary>
/// The TorchSharp engine: an encoder module (<see cref="IAudioEncoder"/>) and <see cref="LogMelSpectrogram"/> on a
/// torch device. Clips go up as one batch and only embeddings come back; sounds of any length go through
/// <see cref="FrameEmbedder"/>'s chunks of bounded memory.
/// </summary>
internal sealed class TorchSharpEngine : IEmbeddingEngine
{
    readonly IAudioEncoder encoder;
    readonly LoadedEncoder? owned;
    readonly ByolAConfig config;
    readonly Device device;
    readonly NumericPrecision precision;   // bf16: the encoder runs under autocast; embeddings come back FP32
    readonly LogMelSpectrogram logMel;
    // FrameEmbedder holds its stats; an engine is normally used with one set, so one is kept.
    FrameEmbedder? frameEmbedder;

    TorchSharpEngine(IAudioEncoder encoder, LoadedEncoder? owned, string architecture, string description, ByolAConfig config,
        Device device, NumericPrecision precision, IReadOnlyList<string> warnings)
    {
        if (encoder.NMels != config.NMels)
            throw new ByolAException($"the encoder expects {encoder.NMels} mel bins but the config has n_mels {config.NMels}; set n_mels={encoder.NMels}");
        this.encoder = encoder;
        this.owned = owned;
        this.config = config;
        this.device = device;
        Architecture = architecture;
        Description = description;
        Warnings = warnings;
        Precision.Apply(device, precision);
        this.precision = Precision.Effective(device, precision);
        logMel = new LogMelSpectrogram(config.FrontEnd);
        logMel.to(device);
    }

    /// <summary>Loads encoder weights (architecture and d read from them) onto the options' device.</summary>
    internal static TorchSharpEngine Open(string weightsPath, EngineOptions options)
    {
        var device = options.TorchDevice ?? (options.SetUpProcess ? TorchSetup.Initialise(options.Device, options.Threads) : options.Device.Resolve());
        // The loader first, which refuses what is no weight file (a FIFO would block any reader) in one line.
        var loaded = EncoderLoader.Load(weightsPath, device, options.Layered);
        try
        {
            // Trained weights remember their rate: a config of another is refused.
            EncoderWeights.RequireSampleRate(weightsPath, options.Config.SampleRate);
            if (loaded.NMels != options.Config.NMels)
                throw new ByolAException($"{weightsPath}: the encoder expects {loaded.NMels} mel bins but the config has n_mels {options.Config.NMels}; set n_mels={loaded.NMels}");
            return new TorchSharpEngine(loaded.Encoder, loaded, loaded.Architecture,
                $"{loaded.Architecture} d={loaded.FeatureD} from {DisplayPath.For(weightsPath)}", options.Config, device, options.Precision, loaded.Warnings);
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>An engine over an encoder module the caller owns (and disposes); the engine never disposes it.</summary>
    public static TorchSharpEngine ForEncoder(IAudioEncoder encoder, ByolAConfig config, Device? device = null,
        NumericPrecision precision = NumericPrecision.Fp32) =>
        new(encoder, null, encoder.Architecture.ToString(), $"{encoder.Architecture} d={encoder.FeatureD}", config, device ?? CPU, precision, []);

    public string Architecture { get; }
    public string Description { get; }
    public int FeatureD => encoder.FeatureD;
    public int FrameStride => encoder.FrameStride;
    public NormStats? OwnStats => null;
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The encoder module (in eval mode after any call).</summary>
    public IAudioEncoder Encoder => encoder;

    public ILogMelMoments NewLogMelMoments() => new TorchLogMelMoments(config, device);

    public EmbeddingRows EmbedClips(float[] clips, int count, int samples, NormStats stats, bool frames)
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        encoder.Module.eval();
        var x = ClipBatch.ClipTensor(clips, count, samples).to(device);
        var lms = stats.Normalise(logMel.forward(x)).unsqueeze(1);     // (B, 1, F, T)
        using (Autocast.Region(device, precision))
            return ToRows((frames ? encoder.Frames(lms) : encoder.Pooled(lms)).to(ScalarType.Float32));
    }

    public IEnumerable<EmbeddingRows> FrameChunks(float[] sound, NormStats stats)
    {
        foreach (var chunk in Frames(stats).FrameChunks(sound))
            using (chunk) yield return ToRows(chunk);
    }

    public float[] Whole(float[] sound, NormStats stats)
    {
        using var whole = Frames(stats).Whole(sound);
        return whole.data<float>().ToArray();
    }

    FrameEmbedder Frames(NormStats stats)
    {
        if (frameEmbedder?.Stats != stats)
        {
            frameEmbedder?.Dispose();
            frameEmbedder = new FrameEmbedder(encoder, stats, config, device, precision: precision);
        }
        return frameEmbedder;
    }

    static EmbeddingRows ToRows(Tensor t)
    {
        using var cpu = t.cpu().contiguous();
        return new EmbeddingRows(cpu.data<float>().ToArray(), cpu.shape);
    }

    public void Dispose()
    {
        frameEmbedder?.Dispose();
        logMel.Dispose();
        owned?.Dispose();
    }
}
