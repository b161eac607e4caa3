namespace ByolA.Embedding.Formats;

/// <summary><c>.csv</c>: a header and one row per file (or per frame), values at round-trip precision (<see cref="EmbedderOutput.WriteCsv(string, IReadOnlyList{string}, float[], long[])"/>).</summary>
internal sealed class CsvEmbeddings : EmbeddingFormat
{
    public override string Extension => ".csv";

    public override IReadOnlyList<string> Write(string path, IReadOnlyList<string> files, float[] values, long[] shape, EmbeddingShard? shard = null)
    {
        if (shard != null) throw new ArgumentException("a .csv file records no shard", nameof(shard));
        EmbedderOutput.WriteCsv(path, files, values, shape);
        return [path];
    }
}
