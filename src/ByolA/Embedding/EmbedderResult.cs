using static TorchSharp.torch;

namespace ByolA.Embedding;

/// <summary>
/// Embeddings of the readable input files, on the host: <see cref="Values"/> row-major of <see cref="Shape"/> (N, d),
/// or (N, T', d) for frame-level output, row i belonging to <c>Files[i]</c>. <see cref="Skipped"/> lists the
/// unreadable files (with the reason) left out under <see cref="EmbedderOptions.SkipBad"/>.
/// </summary>
internal sealed class EmbedderResult(IReadOnlyList<string> files, float[] values, long[] shape, IReadOnlyList<(string Path, string Reason)> skipped) : IDisposable
{
    Tensor? embeddings;

    public IReadOnlyList<string> Files { get; } = files;
    public float[] Values { get; } = values;
    public long[] Shape { get; } = shape;
    public IReadOnlyList<(string Path, string Reason)> Skipped { get; } = skipped;

    /// <summary>The values as a CPU tensor, made on first use (so a caller that never asks never loads libtorch); disposed with this result.</summary>
    public Tensor Embeddings => embeddings ??= tensor(Values, Shape);

    /// <summary>The index of the first row holding a NaN or infinity; null when all are finite.</summary>
    public int? FirstNonFiniteRow()
    {
        long rowLength = Shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        for (long i = 0; i < Values.Length; i++)
            if (!float.IsFinite(Values[i])) return (int)(i / rowLength);
        return null;
    }

    public void Dispose() => embeddings?.Dispose();
}
