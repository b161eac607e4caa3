using static TorchSharp.torch;

namespace ByolA.Data;

/// <summary>
/// One batch from <see cref="ClipSource"/>: the readable files' clips in the order asked for, and the files that
/// could not be read. Plain arrays, so a consumer that never touches libtorch (ONNX Runtime) does not load it.
/// </summary>
/// <param name="Indices">File indices of the rows of <paramref name="Samples"/>.</param>
/// <param name="Samples">Row-major (B', <paramref name="UnitSamples"/>) float32 clips; B' ≤ B.</param>
/// <param name="UnitSamples">Samples per clip.</param>
/// <param name="Failed">File index and "path: reason" of each file left out.</param>
internal sealed record ClipBatch(int[] Indices, float[] Samples, int UnitSamples, IReadOnlyList<(int Index, string Error)> Failed)
{
    /// <summary>Rows (readable clips) in the batch.</summary>
    public int Count => Indices.Length;

    /// <summary>
    /// The clips as a (B', unit_samples) float32 CPU tensor, in page-locked memory with <paramref name="pin"/> (so a copy
    /// to a CUDA device can overlap with compute).
    /// </summary>
    public Tensor ToTensor(bool pin = false)
    {
        var t = ClipTensor(Samples, Count, UnitSamples);
        if (!pin || Count == 0) return t;
        using (t) return t.pin_memory();
    }

    /// <summary>(count, samples) clips, row-major, as a float32 CPU tensor; copies only when the array holds more than that.</summary>
    public static Tensor ClipTensor(float[] clips, int count, int samples)
    {
        long n = (long)count * samples;
        if (n > clips.Length) throw new ArgumentException($"{count} × {samples} samples expected, got {clips.Length}");
        return tensor(n == clips.Length ? clips : clips.AsSpan(0, (int)n).ToArray(), [count, samples]);
    }
}
