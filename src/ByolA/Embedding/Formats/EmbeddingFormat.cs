namespace ByolA.Embedding.Formats;

/// <summary>
/// One output format of <c>embed</c> and <c>merge-embeddings</c>: its extension, what it can hold, the files it writes
/// and how. <see cref="EmbeddingFormats"/> is the one place that maps a path to a format.
/// </summary>
internal abstract class EmbeddingFormat
{
    /// <summary>The file name ending that selects it, lower case with the dot (".npy").</summary>
    public abstract string Extension { get; }

    /// <summary>Whether it holds timestamped rows (each file's frames with their times), written as they are computed.</summary>
    public virtual bool Timestamps => false;

    /// <summary>Whether it records a shard's mark, so that it can be a part of a sharded run.</summary>
    public virtual bool Shards => false;

    /// <summary>Every file a write to <paramref name="path"/> makes or replaces (checked before the work, refused as inputs).</summary>
    public virtual IReadOnlyList<string> OutputPaths(string path) => [path];

    /// <summary>
    /// Writes per-file embeddings, row-major <paramref name="values"/> of <paramref name="shape"/> (N, d) or (N, T', d),
    /// row i belonging to <c>files[i]</c>, atomically; <paramref name="shard"/> marks a part (only where
    /// <see cref="Shards"/>). Returns the paths written.
    /// </summary>
    public abstract IReadOnlyList<string> Write(string path, IReadOnlyList<string> files, float[] values, long[] shape, EmbeddingShard? shard = null);

    public override string ToString() => Extension;
}
