using ByolA.Configuration;
using Microsoft.ML.OnnxRuntime;

namespace ByolA.Onnx;

/// <summary>
/// The ONNX Runtime engine: an exported model run on waveforms, with no libtorch in the process. The session runs the
/// model with its front end rebuilt from the config and the given stats (so a model exported without
/// <c>frontend</c>, or with other stats, behaves as the TorchSharp encoder would), and <see cref="LogMel"/> runs the
/// front end alone for normalisation statistics. CPU execution provider; intra-op threads as given.
/// </summary>
internal sealed class OnnxEncoder : IDisposable
{
    // Built on first use: a stats pass needs only the front end, and an embedding pass only the whole model.
    readonly Lazy<InferenceSession> session;
    readonly Lazy<InferenceSession> frontEnd;
    readonly string output;
    readonly string path;

    OnnxEncoder(string path, Func<byte[]> model, Func<byte[]> frontEndModel, SessionOptions options, OnnxModelInfo info, bool frames)
    {
        this.path = path;
        session = new(() => Create(model(), options));
        frontEnd = new(() => Create(frontEndModel(), options));
        Info = info;
        output = frames ? OnnxModelInfo.FramesOutput : OnnxModelInfo.EmbeddingOutput;
    }

    InferenceSession Create(byte[] model, SessionOptions options)
    {
        try { return new InferenceSession(model, options); }
        catch (OnnxRuntimeException e)
        {
            throw new ByolAException($"{path}: ONNX Runtime cannot load the model ({e.Message})");
        }
    }

    public OnnxModelInfo Info { get; }

    /// <summary>
    /// Builds the embedding session now, so that a model ONNX Runtime cannot load fails before any audio is read (a
    /// stats pass over the inputs came first, and the failure was then taken for an unreadable file).
    /// </summary>
    public void Load() => _ = session.Value;

    /// <summary>Width of one output row (or frame).</summary>
    public int FeatureD => Info.FeatureD;

    /// <summary>
    /// Opens <paramref name="path"/> for waveforms at the config's sample rate normalised with <paramref name="stats"/>;
    /// <paramref name="frames"/> selects the frame output, which the model must have been exported with.
    /// </summary>
    public static OnnxEncoder Open(string path, ByolAConfig config, (double Mean, double Std) stats, bool frames, int threads)
    {
        var (model, info) = OnnxModelFile.Load(path);
        info.RequireFrontEnd(config, path);
        if (frames && !info.HasFrames)
            throw new ByolAException($"{path}: the model has no frame output; export it again with frames to get frame-level features");
        string[] outputs = [frames ? OnnxModelInfo.FramesOutput : OnnxModelInfo.EmbeddingOutput];
        // Names the run depends on, checked here rather than met as an ONNX Runtime exception at the first batch.
        if (!model.Graph.Output.Any(o => o.Name == outputs[0]))
            throw new ByolAException($"{path}: the model has no '{outputs[0]}' output (it has {string.Join(", ", model.Graph.Output.Select(o => $"'{o.Name}'"))}); " +
                                     "give a model written by the export verb, whose outputs keep their names");
        string input = info.HasFrontEnd ? OnnxModelInfo.WaveformInput : OnnxModelInfo.LogMelInput;
        if (!model.Graph.Input.Any(i => i.Name == input))
            throw new ByolAException($"{path}: the model has no '{input}' input (it has {string.Join(", ", model.Graph.Input.Select(i => $"'{i.Name}'"))}); " +
                                     "give a model written by the export verb, whose inputs keep their names");
        return new OnnxEncoder(path,
            () => OnnxModelFile.ToBytes(OnnxModelFile.WithFrontEnd(model, config, stats, outputs)),
            () => OnnxModelFile.ToBytes(OnnxModelFile.FrontEndOnly(config, info)),
            SessionOptionsFor(threads, Path.GetDirectoryName(Path.GetFullPath(path))), info, frames);
    }

    /// <summary>
    /// CPU session options: <paramref name="threads"/> intra-op threads (all cores when 0), full graph optimisation.
    /// <paramref name="modelFolder"/> is where tensors stored outside the model are looked for (ONNX names them
    /// relative to the model file); the model reaches ONNX Runtime as bytes, which have no folder, so without it they
    /// were looked for in the current folder.
    /// </summary>
    internal static SessionOptions SessionOptionsFor(int threads, string? modelFolder = null)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = threads > 0 ? threads : Environment.ProcessorCount,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (modelFolder != null) options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", modelFolder);
        return options;
    }

    /// <summary>
    /// Waveforms (count, samples) row-major → embeddings (count, d), or frames (count, T', d); returns the values
    /// and their shape.
    /// </summary>
    public (float[] Values, long[] Shape) Embed(float[] clips, int count, int samples) => Run(session.Value, clips, count, samples, output);

    /// <summary>Waveforms (count, samples) → log-mel (count, F, T), not normalised.</summary>
    public (float[] Values, long[] Shape) LogMel(float[] clips, int count, int samples) => Run(frontEnd.Value, clips, count, samples, "logmel");

    static (float[], long[]) Run(InferenceSession s, float[] clips, int count, int samples, string name)
    {
        if ((long)count * samples > clips.Length) throw new ArgumentException($"{count} × {samples} samples expected, got {clips.Length}");
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, clips.AsMemory(0, count * samples), [count, samples]);
        using var runOptions = new RunOptions();
        using var results = s.Run(runOptions, [OnnxModelInfo.WaveformInput], [input], [name]);
        var result = results[0];
        return (result.GetTensorDataAsSpan<float>().ToArray(), result.GetTensorTypeAndShape().Shape);
    }

    public void Dispose()
    {
        if (session.IsValueCreated) session.Value.Dispose();
        if (frontEnd.IsValueCreated) frontEnd.Value.Dispose();
    }
}
