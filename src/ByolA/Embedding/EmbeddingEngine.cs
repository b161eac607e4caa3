using ByolA.Onnx;

namespace ByolA.Embedding;

/// <summary>The one place that decides which runtime runs a weights file.</summary>
internal static class EmbeddingEngine
{
    /// <summary>
    /// Opens <paramref name="weightsPath"/>: an exported model (<c>.onnx</c>) in ONNX Runtime on the CPU, without
    /// loading libtorch; anything else as PyTorch encoder weights in TorchSharp.
    /// </summary>
    /// <exception cref="ByolAException">The file cannot be read, is not a BYOL-A encoder, or does not fit the options.</exception>
    public static IEmbeddingEngine Open(string weightsPath, EngineOptions options)
    {
        options.Validate();
        return OnnxModelFile.IsOnnx(weightsPath)
            ? OnnxRuntimeEngine.Open(weightsPath, options)
            : TorchSharpEngine.Open(weightsPath, options);
    }
}
