namespace ByolA.Embedding.Formats;

/// <summary>
/// <c>.npz</c>: <c>embeddings</c> and <c>files</c>, with <c>timestamps</c> and <c>offsets</c> for timestamped rows and the
/// shard's mark for a part (<see cref="EmbeddingArchiveWriter"/>, which streams rows as they are computed).
/// </summary>
internal sealed class NpzEmbeddings : EmbeddingFormat
{
    public override string Extension => ".npz";
    public override bool Timestamps => true;
    public override bool Shards => true;

    public override IReadOnlyList<string> Write(string path, IReadOnlyList<string> files, float[] values, long[] shape, EmbeddingShard? shard = null)
    {
        using var writer = new EmbeddingArchiveWriter(path, timestamps: false);
        long[] item = shape[1..];
        int length = (int)item.Aggregate(1L, (a, b) => a * b);
        for (int i = 0; i < files.Count; i++)
            writer.Add(files[i], values.AsSpan(i * length, length).ToArray(), item);
        writer.Complete(item, shard);
        return [path];
    }
}
