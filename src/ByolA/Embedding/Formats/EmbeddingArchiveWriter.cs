using ByolA.Data;
using static TorchSharp.torch;

namespace ByolA.Embedding.Formats;

/// <summary>
/// Writes embeddings of many files as one <c>.npz</c> that <c>numpy.load</c> reads without pickle, streaming the
/// rows to a temporary file as they come so memory does not grow with the corpus, then writing the archive
/// atomically (nothing appears under the real name unless complete). Members, in this order:
/// <list type="bullet">
/// <item><c>embeddings</c> float32: (N, d) or (N, T', d) per-file items, or with timestamps (ΣTᵢ, d) rows,
/// rows of file i being <c>offsets[i]..offsets[i+1]</c>;</item>
/// <item><c>timestamps</c> float32 (ΣTᵢ,) centre times in ms, and <c>offsets</c> int64 (N+1,): with timestamps only;</item>
/// <item><c>files</c> unicode (N,): the input file of each item, as given;</item>
/// <item><c>shard</c> int64 (2,) = [K, N]: only in the part written by one shard of a sharded run;</item>
/// <item><c>run</c> unicode: with <c>shard</c>, what made the run (<see cref="EmbeddingRun"/>).</item>
/// </list>
/// </summary>
internal sealed class EmbeddingArchiveWriter : IDisposable
{
    readonly string path;
    readonly string rowsPath;
    readonly FileStream rows;
    readonly List<string> files = [];
    readonly List<float> times = [];
    readonly List<long> offsets = [0];
    long pendingRows;
    long[]? itemShape;
    bool completed;

    /// <param name="path">The .npz to write.</param>
    /// <param name="timestamps">Variable-length rows with times (true), or one fixed-shape item per file.</param>
    public EmbeddingArchiveWriter(string path, bool timestamps)
    {
        this.path = Path.GetFullPath(path);
        Timestamps = timestamps;
        Directory.CreateDirectory(Path.GetDirectoryName(this.path)!);
        rowsPath = AtomicFile.TempPath(this.path, "rows-");
        rows = new FileStream(rowsPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
    }

    /// <summary>Whether the archive holds timestamped rows (with <c>timestamps</c> and <c>offsets</c>).</summary>
    public bool Timestamps { get; }

    /// <summary>Files added so far.</summary>
    public int Count => files.Count;

    /// <summary>Rows of <c>embeddings</c> written so far (files, or frames with timestamps).</summary>
    public long Rows => Timestamps ? offsets[^1] : files.Count;

    /// <summary>
    /// Adds the embeddings of one file: with timestamps, (T, d) rows and their T times in ms; otherwise one item,
    /// (d) or (T', d), of the same shape for every file. The tensor is read, not kept.
    /// </summary>
    public void Add(string file, Tensor embeddings, float[]? timesMs = null)
    {
        var (values, shape) = HostValues(embeddings);
        Add(file, values, shape, timesMs);
    }

    /// <summary>As <see cref="Add(string, Tensor, float[])"/> for row-major <paramref name="values"/> of <paramref name="shape"/> (no libtorch needed).</summary>
    public void Add(string file, float[] values, long[] shape, float[]? timesMs = null)
    {
        if (Timestamps)
        {
            AddRows(values, shape, timesMs ?? throw new ArgumentException($"{file}: timestamped embeddings need their times"));
            EndFile(file);
            return;
        }
        ObjectDisposedException.ThrowIf(completed, this);
        Append(file, values, shape, shape);
        files.Add(file);
    }

    /// <summary>
    /// Timestamped archives: appends (t, d) rows of the current file and their t times in ms; a long file can come in
    /// many pieces. <see cref="EndFile"/> closes the file.
    /// </summary>
    public void AddRows(Tensor rows, float[] timesMs)
    {
        var (values, shape) = HostValues(rows);
        AddRows(values, shape, timesMs);
    }

    /// <summary>As <see cref="AddRows(Tensor, float[])"/> for row-major <paramref name="values"/> of <paramref name="shape"/> (t, d).</summary>
    public void AddRows(float[] values, long[] shape, float[] timesMs)
    {
        ObjectDisposedException.ThrowIf(completed, this);
        if (!Timestamps) throw new InvalidOperationException("rows with times go to a timestamped archive");
        if (shape.Length != 2 || timesMs.Length != shape[0])
            throw new ArgumentException($"timestamped embeddings must be (T, d) with T times (got ({string.Join(", ", shape)}) and {timesMs.Length} times)");
        Append("the current file", values, shape, shape[1..]);
        times.AddRange(timesMs);
        pendingRows += shape[0];
    }

    /// <summary>Timestamped archives: the rows added since the previous file belong to <paramref name="file"/>.</summary>
    public void EndFile(string file)
    {
        ObjectDisposedException.ThrowIf(completed, this);
        files.Add(file);
        offsets.Add(offsets[^1] + pendingRows);
        pendingRows = 0;
    }

    static (float[] Values, long[] Shape) HostValues(Tensor t)
    {
        using var scope = NewDisposeScope();
        var cpu = t.detach().cpu().to(float32).contiguous();
        return (cpu.data<float>().ToArray(), cpu.shape);
    }

    void Append(string what, float[] values, long[] shape, long[] itemShape)
    {
        if (this.itemShape == null) this.itemShape = itemShape;
        else if (!this.itemShape.SequenceEqual(itemShape))
            throw new ArgumentException($"{what}: embeddings of shape ({string.Join(", ", shape)}) do not match the earlier files' ({string.Join(", ", this.itemShape)})");
        rows.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    /// <summary>
    /// Writes the archive (atomically) and removes the temporary rows. <paramref name="featureShape"/> gives the
    /// item (or row) shape when no file was added; <paramref name="shard"/> marks a shard's part.
    /// </summary>
    public void Complete(long[] featureShape, EmbeddingShard? shard = null)
    {
        ObjectDisposedException.ThrowIf(completed, this);
        var item = itemShape ?? featureShape;
        rows.Flush();
        rows.Position = 0;
        long count = Rows;
        var members = new List<NpyFormat.Member>
        {
            new("embeddings", "<f4", [count, .. item], s => rows.CopyTo(s, 1 << 20)),
        };
        if (Timestamps)
        {
            members.Add(NpyFormat.Floats("timestamps", [.. times]));
            members.Add(NpyFormat.Longs("offsets", [.. offsets]));
        }
        members.Add(NpyFormat.Strings("files", files));
        if (shard != null) members.Add(NpyFormat.Longs("shard", [shard.Index, shard.Count]));
        if (shard?.Run != null) members.Add(NpyFormat.Strings("run", shard.Run));
        AtomicFile.Write(path, s => NpyFormat.WriteNpz(s, members));
        completed = true;
        rows.Dispose();
    }

    /// <summary>Discards the temporary rows; the archive exists only if <see cref="Complete"/> ran.</summary>
    public void Dispose()
    {
        completed = true;
        rows.Dispose();
    }
}
