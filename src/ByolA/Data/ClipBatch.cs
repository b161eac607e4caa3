using static TorchSharp.torch;

namespace ByolA.Data;

/// <summary>
/// One batch from <see cref="ClipSource"/>: the readable files' clips in the order asked for, and the files that
/// could not be read. The receiver owns (and disposes) <see cref="Samples"/>.
/// </summary>
/// <param name="Indices">File indices of the rows of <paramref name="Samples"/>.</param>
/// <param name="Samples">(B', unit_samples) float32 on the CPU, or what the source's transform made of it; B' ≤ B.</param>
/// <param name="Failed">File index and "path: reason" of each file left out.</param>
public sealed record ClipBatch(int[] Indices, Tensor Samples, IReadOnlyList<(int Index, string Error)> Failed) : IDisposable
{
    /// <summary>Rows (readable clips) in the batch.</summary>
    public int Count => Indices.Length;

    public void Dispose() => Samples.Dispose();
}
