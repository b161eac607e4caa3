namespace ByolA.Onnx;

/// <summary>
/// A probe to put after the pooled embedding in an exported graph: standardisation <c>(x − ScalerMean) / ScalerScale</c>
/// over d features, then the layers (weight (out, in) row-major and bias (out); ReLU between them), then softmax over
/// the classes, or one sigmoid per class when <see cref="MultiLabel"/>. The graph then also outputs
/// <see cref="ProbabilitiesOutput"/> (batch, C), and its metadata lists the classes.
/// </summary>
internal sealed record OnnxClassifierHead(
    float[] ScalerMean,
    float[] ScalerScale,
    IReadOnlyList<(float[] Weight, long[] Shape, float[] Bias)> Layers,
    bool MultiLabel,
    IReadOnlyList<string> Classes)
{
    /// <summary>The graph output holding the class probabilities.</summary>
    public const string ProbabilitiesOutput = "probabilities";

    /// <summary>Metadata key of the class names (one per line, in output order).</summary>
    public const string ClassesKey = "classes";

    /// <summary>Metadata key of the task kind: <c>single-label</c> or <c>multi-label</c>.</summary>
    public const string KindKey = "task_kind";

    /// <summary>Adds the head after <paramref name="pooled"/> (batch, d) and returns the probabilities' name.</summary>
    internal string Add(OnnxGraph g, string pooled)
    {
        int d = ScalerMean.Length;
        g.Scope = "classifier/";
        var x = g.Node("Div", [g.Node("Sub", [pooled, g.Floats("scaler_mean", ScalerMean, d)]), g.Floats("scaler_scale", ScalerScale, d)]);
        for (int i = 0; i < Layers.Count; i++)
        {
            var (w, shape, b) = Layers[i];
            // Gemm with transB: x (batch, in) · Wᵀ (in, out) + b, as nn.Linear.
            x = g.Node("Gemm", [x, g.Floats($"layers_{i}_weight", w, shape), g.Floats($"layers_{i}_bias", b, shape[0])], OnnxGraph.Attr("transB", 1L));
            if (i < Layers.Count - 1) x = g.Node("Relu", [x]);
        }
        var probabilities = MultiLabel ? g.Node("Sigmoid", [x], ProbabilitiesOutput) : g.Node("Softmax", [x], ProbabilitiesOutput, OnnxGraph.Attr("axis", 1L));
        g.Scope = "";
        return probabilities;
    }
}
