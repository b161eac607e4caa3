using ByolA.Runtime;
using ByolA.Audio;
using ByolA.Onnx;
using ByolA.Progress;

namespace ByolA.Embedding;

/// <summary>
/// The ONNX Runtime engine: a model exported by <c>byola export</c>, run on the CPU with no libtorch in the process.
/// The front end and the stats are rebuilt into each session (<see cref="OnnxEncoder"/>), one session per stats and
/// output, made on first use. A sound of any length is one pass: the exported graph pools max + mean over all frames.
/// </summary>
internal sealed class OnnxRuntimeEngine : IEmbeddingEngine
{
    readonly string path;
    readonly EngineOptions options;
    readonly OnnxModelInfo info;
    readonly Dictionary<(double Mean, double Std, bool Frames), OnnxEncoder> sessions = [];
    OnnxEncoder? frontEnd;

    OnnxRuntimeEngine(string path, EngineOptions options, OnnxModelInfo info)
    {
        this.path = path;
        this.options = options;
        this.info = info;
        Description = $"{info.ModelKind} d={info.FeatureD} from {DisplayPath.For(path)} (ONNX Runtime)";
    }

    internal static OnnxRuntimeEngine Open(string path, EngineOptions options)
    {
        if (options.Device.IsCuda)
            throw OptionException.Invalid(nameof(EngineOptions.Device),
                $"{options.Device}: {ByolAException.Escape(path)} is an ONNX model, which runs on the CPU (ONNX Runtime's CPU provider); ask for the cpu or auto, or use .pth weights for CUDA");
        // ONNX Runtime runs the exported FP32 graph as it is; libtorch's autocast has no say there.
        if (options.Precision == NumericPrecision.Bf16)
            throw OptionException.Invalid(nameof(EngineOptions.Precision),
                $"bf16: {ByolAException.Escape(path)} is an ONNX model, which ONNX Runtime runs in FP32; ask for fp32, or use .pth weights for bf16");
        var (_, info) = OnnxModelFile.Load(path);
        info.RequireFrontEnd(options.Config, path);
        if (options.Layered != info.Layered)
            throw new ByolAException(info.Layered
                ? $"{path}: the model was exported with layered features; ask for layered features, or export it again without"
                : $"{path}: the model was exported without layered features; export the .pth weights again with layered features");
        var engine = new OnnxRuntimeEngine(path, options, info);
        try
        {
            // Build a session now (with the model's own stats, the likeliest to be used), so that a model ONNX Runtime
            // cannot load fails here, before any audio is read, rather than being taken for an unreadable input later.
            engine.Session(engine.OwnStats is { Std: > 0 } own && double.IsFinite(own.Mean) ? own : new NormStats(0, 1), frames: false).Load();
            return engine;
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    /// <summary>The model's metadata as exported.</summary>
    public OnnxModelInfo Info => info;

    public string Architecture => info.ModelKind;
    public string Description { get; }
    public int FeatureD => info.FeatureD;
    public int FrameStride => info.FrameStride;
    public NormStats? OwnStats => info.Stats is var (mean, std) ? new NormStats(mean, std) : null;
    public IReadOnlyList<string> Warnings => [];

    int Threads => options.Threads ?? 0;

    public ILogMelMoments NewLogMelMoments()
    {
        frontEnd ??= OnnxEncoder.Open(path, options.Config, (0, 1), frames: false, Threads);
        return new HostMoments(frontEnd);
    }

    public EmbeddingRows EmbedClips(float[] clips, int count, int samples, NormStats stats, bool frames)
    {
        var (values, shape) = Session(stats, frames).Embed(clips, count, samples);
        return new EmbeddingRows(values, shape);
    }

    public IEnumerable<EmbeddingRows> FrameChunks(float[] sound, NormStats stats)
    {
        if (!info.HasFrames)
            throw new ByolAException($"{path}: the model has no frame output, so no timestamp embeddings; export it again with its frame output (the frames option of byola export)");
        var x = FrameEmbedder.PadToMinimum(sound, options.Config, FrameStride);
        var (values, shape) = Session(stats, frames: true).Embed(x, 1, x.Length);   // (1, T', d)
        yield return new EmbeddingRows(values, shape[1..]);
    }

    public float[] Whole(float[] sound, NormStats stats)
    {
        var x = FrameEmbedder.PadToMinimum(sound, options.Config, FrameStride);
        return Session(stats, frames: false).Embed(x, 1, x.Length).Values;
    }

    OnnxEncoder Session(NormStats stats, bool frames)
    {
        var key = (stats.Mean, stats.Std, frames);
        if (!sessions.TryGetValue(key, out var session))
            sessions[key] = session = OnnxEncoder.Open(path, options.Config, (stats.Mean, stats.Std), frames, Threads);
        return session;
    }

    public void Dispose()
    {
        foreach (var s in sessions.Values) s.Dispose();
        sessions.Clear();
        frontEnd?.Dispose();
    }

    /// <summary>SPEC §6.1's moments summed in float64 on the host, the front end run by ONNX Runtime.</summary>
    sealed class HostMoments(OnnxEncoder frontEnd) : ILogMelMoments
    {
        double sum, sumSq;

        public void Add(float[] clips, int count, int samples)
        {
            if (count == 0) return;
            var (values, _) = frontEnd.LogMel(clips, count, samples);
            foreach (var v in values) { sum += v; sumSq += (double)v * v; }
            Count += values.Length;
        }

        public long Count { get; private set; }
        public double Mean => Count > 0 ? sum / Count : throw new InvalidOperationException("no log-mel values were added");
        public double Std => Math.Sqrt(Math.Max(sumSq / Count - Mean * Mean, 0));

        public void Dispose() { }
    }
}
