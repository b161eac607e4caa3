namespace ByolA.Models;

/// <summary>
/// The registry of encoder kinds, in the shape of the task registry: adding an encoder is its module, its
/// <see cref="EncoderKind"/> here and its <see cref="ModelKind"/> name (plus its ONNX emitter to export it).
/// </summary>
internal static class EncoderKinds
{
    public static readonly AudioNTT2020Kind AudioNTT2020 = new();
    public static readonly AudioNTT2020XKind AudioNTT2020X = new();
    public static readonly AudioNTT2022Kind AudioNTT2022 = new();

    /// <summary>Every kind, in the order state dicts are tried against them.</summary>
    public static IReadOnlyList<EncoderKind> All { get; } = [AudioNTT2020, AudioNTT2020X, AudioNTT2022];

    /// <summary>The kinds a config may train (those with a recipe).</summary>
    public static IReadOnlyList<EncoderKind> Trainable { get; } = [.. All.Where(k => k.Recipe != null)];

    /// <summary>The entry of <paramref name="kind"/>.</summary>
    public static EncoderKind Of(ModelKind kind) => All.First(k => k.Kind == kind);

    /// <summary>The entry whose key names <paramref name="module"/>'s state dict uses (an encoder's own kind; v1's for any other module).</summary>
    public static EncoderKind OfModule(TorchSharp.torch.nn.Module module) => module is IAudioEncoder encoder ? Of(encoder.Architecture) : AudioNTT2020;

    /// <summary>The kind and shape of an official-named state dict with these tensor shapes; null when no kind claims it.</summary>
    public static (EncoderKind Kind, EncoderShape Shape)? Recognise(IReadOnlyDictionary<string, long[]> shapes)
    {
        foreach (var kind in All)
            if (kind.Recognise(shapes) is { } shape) return (kind, shape);
        return null;
    }

    /// <summary>A shape as messages print it: [a, b].</summary>
    public static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
