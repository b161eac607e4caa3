using Google.Protobuf;
using Onnx;

namespace ByolA.Onnx;

/// <summary>
/// A small builder over OnnxSharp's ONNX message types: nodes with fresh output names, float32/int64 initializers,
/// typed inputs and outputs. Names are prefixed with <see cref="Scope"/> so that a part of the graph (the front end)
/// can be recognised and replaced later.
/// </summary>
internal sealed class OnnxGraph
{
    int counter;

    public OnnxGraph(GraphProto? proto = null) => Proto = proto ?? new GraphProto { Name = "byola" };

    public GraphProto Proto { get; }

    /// <summary>Prefix of every node and initializer name added from now on (e.g. "frontend/").</summary>
    public string Scope { get; set; } = "";

    string Fresh(string hint) => $"{Scope}{hint}_{counter++}";

    /// <summary>Adds an <paramref name="op"/> node and returns its (single) output name.</summary>
    public string Node(string op, string[] inputs, params AttributeProto[] attributes) => Node(op, inputs, null, attributes);

    /// <summary>Adds an <paramref name="op"/> node writing <paramref name="output"/> (a fresh name when null).</summary>
    public string Node(string op, string[] inputs, string? output, params AttributeProto[] attributes)
    {
        output ??= Fresh(op.ToLowerInvariant());
        var node = new NodeProto { OpType = op, Name = Fresh("node_" + op.ToLowerInvariant()) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Proto.Node.Add(node);
        return output;
    }

    /// <summary>A float32 initializer of shape <paramref name="dims"/> (row-major values).</summary>
    public string Floats(string hint, ReadOnlySpan<float> values, params long[] dims)
    {
        if (values.Length != dims.Aggregate(1L, (a, b) => a * b))
            throw new ArgumentException($"{hint}: {values.Length} values for shape ({string.Join(", ", dims)})");
        var t = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian");
        Proto.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>A float32 scalar (0-d) initializer.</summary>
    public string Scalar(string hint, float value) => Floats(hint, [value]);

    /// <summary>A 1-d int64 initializer (shapes, axes, pads, slice bounds).</summary>
    public string Int64s(string hint, params long[] values)
    {
        var t = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        Proto.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>A 0-d int64 initializer.</summary>
    public string Int64Scalar(string hint, long value)
    {
        var t = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Int64Data.Add(value);
        Proto.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>Declares a float32 graph input; each dim is a size (long) or a symbolic name (string).</summary>
    public void Input(string name, params object[] dims) => Proto.Input.Add(Value(name, dims));

    /// <summary>Declares a float32 graph output; each dim is a size (long) or a symbolic name (string).</summary>
    public void Output(string name, params object[] dims) => Proto.Output.Add(Value(name, dims));

    static ValueInfoProto Value(string name, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s }
                                        : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d) });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    public static AttributeProto Attr(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attr(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attr(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }
}
