using static ByolA.Onnx.OnnxGraph;

namespace ByolA.Onnx;

/// <summary>
/// The BYOL-A encoders (SPEC §3) as ONNX nodes over a normalised log-mel input (B, 1, F, T), in inference form:
/// BatchNorm folded into the conv weights and biases (in float64), dropout left out, ReLU before MaxPool as in the
/// modules. Weights come in official state-dict names (<c>features.*</c>, <c>fc.*</c>), for the X model too.
/// </summary>
internal static class EncoderGraph
{
    /// <summary>A weight tensor as values (row-major) and shape.</summary>
    public sealed record Weight(float[] Values, long[] Shape);

    /// <summary>
    /// Appends the encoder and returns the names of its frame features (B, T', width) and pooled embedding
    /// (B, width): max over time plus mean over time.
    /// </summary>
    public static (string Frames, string Pooled) Add(OnnxGraph g, string lms, OnnxModelInfo info, IReadOnlyDictionary<string, Weight> w)
    {
        // The one emitter per encoder kind (the rest of what a kind means is in Models/EncoderKinds).
        var frames = Enum.Parse<ModelKind>(info.ModelKind) switch
        {
            ModelKind.AudioNTT2020 => V1(g, lms, w, layered: false, info.EncoderD),
            ModelKind.AudioNTT2020X => V1(g, lms, w, info.Layered, info.EncoderD),
            ModelKind.AudioNTT2022 => V2(g, lms, w),
            _ => throw new ArgumentException($"unknown model kind {info.ModelKind}"),
        };
        var max = g.Node("ReduceMax", [frames], Ints("axes", 1L), Attr("keepdims", 0L));
        var mean = g.Node("ReduceMean", [frames], Ints("axes", 1L), Attr("keepdims", 0L));
        return (frames, g.Node("Add", [max, mean]));
    }

    static string V1(OnnxGraph g, string x, IReadOnlyDictionary<string, Weight> w, bool layered, int d)
    {
        var c1 = ConvBlock(g, x, w, 0);
        var c2 = ConvBlock(g, c1, w, 4);
        var c3 = ConvBlock(g, c2, w, 8);
        var f1 = Linear(g, ToFrames(g, c3, [0, 3, 2, 1]), w, "fc.0");
        var f2 = Linear(g, f1, w, "fc.3");
        if (!layered) return f2;
        // Layered X features: conv outputs with channel-major layout (c·F_l + f), zero-padded to d, averaged down to T/8.
        long nMels = w["fc.0.weight"].Shape[1] / 64 * 8;
        var parts = new List<string>();
        long[] heights = [nMels / 2, nMels / 4, nMels / 8];
        string[] convs = [c1, c2, c3];
        for (int l = 0; l < 3; l++)
        {
            var h = ToFrames(g, convs[l], [0, 3, 1, 2]);
            long width = 64 * heights[l];
            if (width < d) h = g.Node("Pad", [h, g.Int64s("pads", 0, 0, 0, 0, 0, d - width)]);
            // conv1 runs at 4×, conv2 at 2× the final frame rate: exactly 2 and 1 halvings (see TemporalPooling.HalveTo).
            for (int k = 0; k < 2 - l; k++) h = Halve(g, h, Math.Max(width, d));
            parts.Add(h);
        }
        parts.Add(f1);
        parts.Add(f2);
        return g.Node("Concat", [.. parts], Attr("axis", 2L));
    }

    static string V2(OnnxGraph g, string x, IReadOnlyDictionary<string, Weight> w)
    {
        var conv = ToFrames(g, ConvBlock(g, ConvBlock(g, x, w, 0), w, 4), [0, 3, 2, 1]);
        var fc = Linear(g, Linear(g, conv, w, "fc.0"), w, "fc.3");
        return g.Node("Concat", [conv, fc], Attr("axis", 2L));
    }

    /// <summary>Conv2d(3×3, pad 1) with BatchNorm folded in, ReLU, MaxPool2d(2, 2): features.{i} and features.{i+1}.</summary>
    static string ConvBlock(OnnxGraph g, string x, IReadOnlyDictionary<string, Weight> w, int index)
    {
        var conv = w[$"features.{index}.weight"];
        var convBias = w[$"features.{index}.bias"].Values;
        string bn = $"features.{index + 1}.";
        var (gamma, beta, mean, variance) = (w[bn + "weight"].Values, w[bn + "bias"].Values, w[bn + "running_mean"].Values, w[bn + "running_var"].Values);
        int outC = (int)conv.Shape[0];
        int perOut = conv.Values.Length / outC;
        var weight = new float[conv.Values.Length];
        var bias = new float[outC];
        for (int o = 0; o < outC; o++)
        {
            // BatchNorm2d's eps is 1e-5 in every encoder.
            double scale = gamma[o] / Math.Sqrt(variance[o] + 1e-5);
            for (int i = 0; i < perOut; i++) weight[o * perOut + i] = (float)(conv.Values[o * perOut + i] * scale);
            bias[o] = (float)((convBias[o] - mean[o]) * scale + beta[o]);
        }
        var y = g.Node("Conv", [x, g.Floats($"features_{index}_weight", weight, conv.Shape), g.Floats($"features_{index}_bias", bias, outC)],
            Ints("kernel_shape", 3L, 3L), Ints("pads", 1L, 1L, 1L, 1L));
        return g.Node("MaxPool", [g.Node("Relu", [y])], Ints("kernel_shape", 2L, 2L), Ints("strides", 2L, 2L));
    }

    /// <summary>(B, C, F', T') → (B, T', ·) with the given permutation of the conv output, last two axes flattened.</summary>
    static string ToFrames(OnnxGraph g, string conv, long[] perm) =>
        g.Node("Reshape", [g.Node("Transpose", [conv], Ints("perm", perm)), g.Int64s("shape", 0, 0, -1)]);

    /// <summary>Linear + ReLU on the last axis: x·Wᵀ + b.</summary>
    static string Linear(OnnxGraph g, string x, IReadOnlyDictionary<string, Weight> w, string name)
    {
        var weight = w[name + ".weight"];
        long outF = weight.Shape[0], inF = weight.Shape[1];
        var t = new float[weight.Values.Length];
        for (long o = 0; o < outF; o++)
            for (long i = 0; i < inF; i++) t[i * outF + o] = weight.Values[o * inF + i];
        var y = g.Node("MatMul", [x, g.Floats(name.Replace('.', '_') + "_weight_t", t, inF, outF)]);
        y = g.Node("Add", [y, g.Floats(name.Replace('.', '_') + "_bias", w[name + ".bias"].Values, outF)]);
        return g.Node("Relu", [y]);
    }

    /// <summary>
    /// One step of <see cref="Models.TemporalPooling.HalveTo"/> on (B, t, width) for any t ≥ 2, without control flow:
    /// means of adjacent pairs over the first 2·⌊t/2⌋ frames; when t is odd the original first merges the last two
    /// frames, which changes only the last output, from (a + b)/2 to a/2 + (b + c)/4 = (a + b)/2 + (c − b)/4.
    /// </summary>
    static string Halve(OnnxGraph g, string x, long width)
    {
        var t = g.Node("Gather", [g.Node("Shape", [x]), g.Int64Scalar("time_axis", 1)], Attr("axis", 0L));
        var odd = g.Node("Mod", [t, g.Int64Scalar("two", 2)]);
        var evenEnd = g.Node("Unsqueeze", [g.Node("Sub", [t, odd]), g.Int64s("axis0", 0)]);
        var axis1 = g.Int64s("axis1", 1);
        var even = g.Node("Slice", [x, g.Int64s("zero", 0), evenEnd, axis1]);
        var pairs = g.Node("ReduceMean", [g.Node("Reshape", [even, g.Int64s("shape", 0, -1, 2, width)])], Ints("axes", 2L), Attr("keepdims", 0L));
        var last = g.Node("Slice", [x, g.Int64s("minus1", -1), g.Int64s("end", long.MaxValue), axis1]);
        var beforeLast = g.Node("Slice", [x, g.Int64s("minus2", -2), g.Int64s("minus1", -1), axis1]);
        var weight = g.Node("Mul", [g.Node("Cast", [odd], Attr("to", (long)global::Onnx.TensorProto.Types.DataType.Float)), g.Scalar("quarter", 0.25f)]);
        var correction = g.Node("Mul", [g.Node("Sub", [last, beforeLast]), weight]);
        var head = g.Node("Slice", [pairs, g.Int64s("zero", 0), g.Int64s("minus1", -1), axis1]);
        var tail = g.Node("Add", [g.Node("Slice", [pairs, g.Int64s("minus1", -1), g.Int64s("end", long.MaxValue), axis1]), correction]);
        return g.Node("Concat", [head, tail], Attr("axis", 1L));
    }
}
