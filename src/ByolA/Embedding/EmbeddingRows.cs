namespace ByolA.Embedding;

/// <summary>Row-major float32 values of the given shape, e.g. (B, d), (B, T', d) or (t, d), on the host.</summary>
internal readonly record struct EmbeddingRows(float[] Values, long[] Shape)
{
    /// <summary>Rows: the size of the first dimension.</summary>
    public long Rows => Shape[0];

    /// <summary>Values per row (the product of the other dimensions).</summary>
    public long RowLength => Shape.Skip(1).Aggregate(1L, (a, b) => a * b);
}
