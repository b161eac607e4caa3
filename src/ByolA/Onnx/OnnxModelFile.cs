using ByolA.Configuration;
using Google.Protobuf;
using Onnx;

namespace ByolA.Onnx;

/// <summary>
/// Exported model files: assembling a <see cref="ModelProto"/> (opset <see cref="Opset"/>, metadata from
/// <see cref="OnnxModelInfo"/>), reading one back, and rebuilding one with a fresh front end so that any exported
/// model, with or without its own front end, can be run on waveforms with any normalisation stats.
/// </summary>
internal static class OnnxModelFile
{
    /// <summary>The ai.onnx opset the graphs are written for (Reduce* axes as attributes, Pad reflect).</summary>
    public const long Opset = 17;

    /// <summary>Whether <paramref name="path"/> names an ONNX model (by extension), rather than PyTorch weights.</summary>
    public static bool IsOnnx(string path) => string.Equals(Path.GetExtension(path), ".onnx", StringComparison.OrdinalIgnoreCase);

    internal static ModelProto Create(GraphProto graph, OnnxModelInfo info)
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "ByolA.NET",
            ProducerVersion = typeof(OnnxModelFile).Assembly.GetName().Version?.ToString() ?? "",
            Graph = graph,
            DocString = $"BYOL-A {info.ModelKind} encoder (d={info.FeatureD})",
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in info.ToMetadata()) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>Reads an exported model; a file that is not one is a <see cref="ByolAException"/> naming it.</summary>
    public static (ModelProto Model, OnnxModelInfo Info) Load(string path)
    {
        if (!File.Exists(path)) throw new ByolAException($"{path}: no such ONNX model file");
        ModelProto model;
        try
        {
            using var stream = File.OpenRead(path);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ByolAException($"{path}: not an ONNX model ({e.Message}) — pass a file written by the export verb");
        }
        if (model.Graph == null || model.Graph.Node.Count == 0)
            throw new ByolAException($"{path}: not an ONNX model (no graph) — pass a file written by the export verb");
        var meta = model.MetadataProps.ToDictionary(e => e.Key, e => e.Value);
        return (model, OnnxModelInfo.FromMetadata(meta, path));
    }

    /// <summary>
    /// A copy of <paramref name="model"/> that reads waveforms (B, samples): its own front end (if any) replaced by one
    /// built from <paramref name="config"/> normalising with <paramref name="stats"/>. Only the outputs in
    /// <paramref name="outputs"/> are kept.
    /// </summary>
    internal static ModelProto WithFrontEnd(ModelProto model, ByolAConfig config, (double Mean, double Std) stats, IReadOnlyCollection<string> outputs)
    {
        var g = new OnnxGraph();
        g.Input(OnnxModelInfo.WaveformInput, "batch", "samples");
        FrontEndGraph.Add(g, OnnxModelInfo.WaveformInput, config, stats, unsqueeze: true, output: OnnxModelInfo.LogMelInput);
        var source = model.Graph;
        g.Proto.Node.AddRange(source.Node.Where(n => !n.Name.StartsWith(FrontEndGraph.ScopeName, StringComparison.Ordinal)).Select(n => n.Clone()));
        g.Proto.Initializer.AddRange(source.Initializer.Where(t => !t.Name.StartsWith(FrontEndGraph.ScopeName, StringComparison.Ordinal)));
        g.Proto.Output.AddRange(source.Output.Where(o => outputs.Contains(o.Name)).Select(o => o.Clone()));
        var copy = model.Clone();
        copy.Graph = g.Proto;
        return copy;
    }

    /// <summary>A model of the front end alone: waveform (B, samples) → log-mel (B, F, T), not normalised (for stats).</summary>
    internal static ModelProto FrontEndOnly(ByolAConfig config, OnnxModelInfo info)
    {
        var g = new OnnxGraph();
        g.Input(OnnxModelInfo.WaveformInput, "batch", "samples");
        FrontEndGraph.Add(g, OnnxModelInfo.WaveformInput, config, null, unsqueeze: false, output: "logmel");
        g.Output("logmel", "batch", (long)config.NMels, "frames");
        return Create(g.Proto, info with { HasFrontEnd = true });
    }

    internal static byte[] ToBytes(ModelProto model) => model.ToByteArray();
}
