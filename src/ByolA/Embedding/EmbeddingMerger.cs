using ByolA.Embedding.Formats;
using System.IO.Compression;
using static TorchSharp.torch;

namespace ByolA.Embedding;

/// <summary>
/// Joins the <c>.npz</c> parts of a sharded embed run (<see cref="EmbeddingArchiveWriter"/>, each marked with its
/// <see cref="EmbeddingShard"/>) into exactly what the unsharded run writes: parts are ordered by shard index
/// whatever order they are given in, and every shard 1..N must be present once.
/// </summary>
public static class EmbeddingMerger
{
    sealed record Part(string Path, EmbeddingShard Shard, NpyFormat.Header Embeddings, string[] Files, float[]? Times, long[]? Offsets, string[]? Run);

    /// <summary>
    /// Writes the merged embeddings to <paramref name="outPath"/>: <c>.npz</c> (same members as an unsharded run), or,
    /// for per-file embeddings, <c>.npy</c> (with its file list) or <c>.csv</c> as <see cref="EmbedderOutput.Write(string, IReadOnlyList{string}, float[], long[])"/>
    /// writes them. Returns the paths written and the merged <c>embeddings</c> shape. Another extension is an
    /// <see cref="OptionException"/> naming <c>OutPath</c>.
    /// </summary>
    public static (IReadOnlyList<string> Written, long[] Shape) Merge(IReadOnlyList<string> partPaths, string outPath)
    {
        var format = EmbeddingFormats.Require(outPath, "OutPath");
        if (partPaths.Count == 0) throw new ByolAException("no parts to merge");
        RefuseOutputAmongInputs(partPaths, format.OutputPaths(outPath));
        var parts = partPaths.Select(ReadPart).OrderBy(p => p.Shard.Index).ToList();
        int n = parts[0].Shard.Count;
        foreach (var p in parts)
            if (p.Shard.Count != n)
                throw new ByolAException($"{p.Path}: shard {p.Shard} is not one of {n} like {parts[0].Path}");
        for (int k = 1; k <= n; k++)
        {
            var same = parts.Where(p => p.Shard.Index == k).ToList();
            if (same.Count == 0) throw new ByolAException($"shard {k}/{n} is missing: give all {n} parts");
            if (same.Count > 1) throw new ByolAException($"shard {k}/{n} is given twice: {same[0].Path} and {same[1].Path}");
        }
        foreach (var p in parts)
            if (EmbeddingRun.Difference(parts[0].Run, p.Run) is { } difference)
                throw new ByolAException($"{p.Path}: made by another run than {parts[0].Path}: {difference}; merge only the parts of one sharded run");
        bool timestamps = parts[0].Times != null;
        var item = parts[0].Embeddings.Shape[1..];
        foreach (var p in parts)
        {
            if ((p.Times != null) != timestamps)
                throw new ByolAException($"{p.Path}: {(timestamps ? "has no timestamps" : "has timestamps")} unlike {parts[0].Path}");
            if (!p.Embeddings.Shape[1..].SequenceEqual(item))
                throw new ByolAException($"{p.Path}: embeddings ({string.Join(", ", p.Embeddings.Shape)}) do not match {parts[0].Path} ({string.Join(", ", parts[0].Embeddings.Shape)})");
        }
        long rows = parts.Sum(p => p.Embeddings.Shape[0]);
        long[] shape = [rows, .. item];
        var files = parts.SelectMany(p => p.Files).ToArray();

        if (format.Timestamps)
        {
            // The archive's members stream from the parts' own, without holding all rows at once.
            var members = new List<NpyFormat.Member> { new("embeddings", "<f4", shape, s => { foreach (var p in parts) CopyEmbeddings(p, s); }) };
            if (timestamps)
            {
                members.Add(NpyFormat.Floats("timestamps", parts.SelectMany(p => p.Times!).ToArray()));
                members.Add(NpyFormat.Longs("offsets", Rebase(parts.Select(p => p.Offsets!))));
            }
            members.Add(NpyFormat.Strings("files", files));
            Data.AtomicFile.Write(outPath, s => NpyFormat.WriteNpz(s, members));
            return ([outPath], shape);
        }
        if (timestamps)
            throw new ByolAException($"{outPath}: timestamped embeddings merge into a {EmbeddingFormats.Names(EmbeddingFormats.All.Where(f => f.Timestamps))} file only");
        // The other formats are written from all rows at once, as an unsharded run writes them.
        var buffer = new MemoryStream();
        foreach (var p in parts) CopyEmbeddings(p, buffer);
        var all = new float[buffer.Length / sizeof(float)];
        Buffer.BlockCopy(buffer.GetBuffer(), 0, all, 0, (int)buffer.Length);
        return (format.Write(outPath, files, all, shape), shape);
    }

    /// <summary>
    /// An output (or, for <c>.npy</c>, its file list) that is one of the parts would replace a part the user may still
    /// need, so it is refused by real path (links, <c>./</c> and <c>..</c> resolved) before anything is read.
    /// </summary>
    static void RefuseOutputAmongInputs(IReadOnlyList<string> partPaths, IReadOnlyList<string> outputs)
    {
        var inputs = partPaths.Select(p => (Path: p, Real: Data.FilePaths.Real(p))).ToList();
        foreach (var output in outputs)
        {
            var real = Data.FilePaths.Real(output);
            foreach (var input in inputs)
                if (real.Equals(input.Real, Data.FilePaths.Comparison))
                    throw new OptionException($"{{0}} {ByolAException.Escape(output)} is the part {ByolAException.Escape(input.Path)}: merging would replace an input; write the merged file elsewhere",
                        "OutPath");
        }
    }

    /// <summary>Offsets of consecutive parts as one vector: each part's offsets shifted to start where the previous ended.</summary>
    static long[] Rebase(IEnumerable<long[]> parts)
    {
        var result = new List<long> { 0 };
        foreach (var offsets in parts)
        {
            long start = result[^1];
            for (int i = 1; i < offsets.Length; i++) result.Add(start + offsets[i] - offsets[0]);
        }
        return [.. result];
    }

    /// <summary>
    /// Copies a part's embeddings, refusing a NaN or infinite value as embed itself does (embed never writes one, so
    /// such a part was damaged or made elsewhere); the output is written atomically, so nothing is left of it.
    /// </summary>
    static void CopyEmbeddings(Part part, Stream destination)
    {
        using var zip = ZipFile.OpenRead(part.Path);
        using var s = zip.GetEntry("embeddings.npy")!.Open();
        NpyFormat.ReadHeader(s, part.Path);
        var buffer = new byte[1 << 20];
        long index = 0;
        int carry = 0;
        for (int n; (n = s.Read(buffer, carry, buffer.Length - carry)) > 0 || carry > 0;)
        {
            int count = carry + n, whole = count / sizeof(float) * sizeof(float);
            if (n == 0 && whole == 0) break;
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(buffer.AsSpan(0, whole));
            for (int i = 0; i < values.Length; i++)
                if (!float.IsFinite(values[i]))
                    throw new ByolAException($"{part.Path}: embedding value {index + i} is {values[i]}; embed never writes a NaN or infinite value, so the part is damaged — embed that shard again");
            index += values.Length;
            destination.Write(buffer, 0, whole);
            carry = count - whole;
            Buffer.BlockCopy(buffer, whole, buffer, 0, carry);
        }
    }

    static Part ReadPart(string path)
    {
        if (Directory.Exists(path)) throw new ByolAException($"{path}: is a folder, not a part (.npz) written by a sharded embed run");
        if (!File.Exists(path)) throw new ByolAException($"{path}: no such file");
        Data.InputFile.RequireRegular(path);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            Stream Open(string name) => (zip.GetEntry(name + ".npy")
                ?? throw new ByolAException($"{path}: no '{name}' array; is it a part written by a sharded embed run?")).Open();
            long[] shard;
            using (var s = Open("shard")) { var h = NpyFormat.ReadHeader(s, path); shard = NpyFormat.ReadValues<long>(s, h.Count); }
            if (shard.Length != 2) throw new ByolAException($"{path}: malformed 'shard' array");
            NpyFormat.Header emb;
            using (var s = Open("embeddings")) emb = NpyFormat.ReadHeader(s, path);
            if (emb.Descr != "<f4" || emb.Shape.Length < 2) throw new ByolAException($"{path}: 'embeddings' must be float32 with at least 2 dimensions");
            string[] files;
            using (var s = Open("files")) files = NpyFormat.ReadStrings(s, NpyFormat.ReadHeader(s, path), path);
            float[]? times = null;
            long[]? offsets = null;
            if (zip.GetEntry("timestamps.npy") != null)
            {
                using (var s = Open("timestamps")) { var h = NpyFormat.ReadHeader(s, path); times = NpyFormat.ReadValues<float>(s, h.Count); }
                using (var s = Open("offsets")) { var h = NpyFormat.ReadHeader(s, path); offsets = NpyFormat.ReadValues<long>(s, h.Count); }
                if (offsets.Length != files.Length + 1 || offsets[^1] - offsets[0] != emb.Shape[0] || times.Length != emb.Shape[0])
                    throw new ByolAException($"{path}: offsets, timestamps and embeddings disagree");
            }
            else if (emb.Shape[0] != files.Length)
                throw new ByolAException($"{path}: {emb.Shape[0]} embeddings for {files.Length} files");
            string[]? run = null;
            if (zip.GetEntry("run.npy") != null)
                using (var s = Open("run")) run = NpyFormat.ReadStrings(s, NpyFormat.ReadHeader(s, path), path);
            return new Part(path, new EmbeddingShard((int)shard[0], (int)shard[1]).Validate(), emb, files, times, offsets, run);
        }
        catch (Exception e) when (Data.IoErrors.IsIo(e) && e is not EndOfStreamException)
        {
            throw Data.IoErrors.Failure(path, "read the part", e);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new ByolAException($"{path}: not a readable embeddings archive ({e.Message})", e);
        }
    }
}
