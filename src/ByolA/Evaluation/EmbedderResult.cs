using static TorchSharp.torch;

namespace ByolA.Evaluation;

/// <summary>
/// Embeddings of the readable input files, on the CPU: <paramref name="Embeddings"/> is (N, d), or (N, T', d) for
/// frame-level output, row i belonging to <c>Files[i]</c>. <paramref name="Skipped"/> lists the unreadable files
/// (with the reason) left out under <see cref="EmbedderOptions.SkipBad"/>. Dispose to free the tensor.
/// </summary>
public sealed record EmbedderResult(
    IReadOnlyList<string> Files,
    Tensor Embeddings,
    IReadOnlyList<(string Path, string Reason)> Skipped) : IDisposable
{
    public void Dispose() => Embeddings.Dispose();
}
