using ByolA.Data;

namespace ByolA.Embedding.Formats;

/// <summary>
/// <c>.npy</c>: float32, C order, with the row list <c>X.files.npy</c> beside it (see <see cref="EmbedderOutput.SidecarPath"/>);
/// the two are replaced together or not at all (<see cref="AtomicFile.WriteAll"/>).
/// </summary>
internal sealed class NpyEmbeddings : EmbeddingFormat
{
    public override string Extension => ".npy";

    public override IReadOnlyList<string> OutputPaths(string path) => [path, EmbedderOutput.SidecarPath(path)];

    public override IReadOnlyList<string> Write(string path, IReadOnlyList<string> files, float[] values, long[] shape, EmbeddingShard? shard = null)
    {
        if (shard != null) throw new ArgumentException("an .npy file records no shard", nameof(shard));
        if (shape.Length < 1 || shape[0] != files.Count)
            throw new ArgumentException($"{files.Count} file(s) for embeddings of shape ({string.Join(", ", shape)})");
        var sidecar = EmbedderOutput.SidecarPath(path);
        var list = NpyFormat.Strings("files", files);
        AtomicFile.WriteAll([
            (sidecar, s => { s.Write(NpyFormat.HeaderBytes(list.Descr, list.Shape)); list.WriteData(s); }),
            (path, s => EmbedderOutput.WriteNpyData(s, values, shape)),
        ]);
        return [path, sidecar];
    }
}
