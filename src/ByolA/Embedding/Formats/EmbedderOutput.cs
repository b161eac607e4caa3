using ByolA.Data;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ByolA.Audio;
using static TorchSharp.torch;

namespace ByolA.Embedding.Formats;

/// <summary>
/// The .npy and .csv files of embeddings: NumPy <c>.npy</c> (float32, C order, format 1.0) with a sidecar list of file
/// names, and CSV; reading them back. Every file is written atomically (temporary name, then rename). Which format a
/// path gets is <see cref="EmbeddingFormats"/>' choice.
/// </summary>
internal static class EmbedderOutput
{
    /// <summary>
    /// The sidecar of <c>X.npy</c>: <c>X.files.npy</c>, a NumPy unicode vector (<c>&lt;U</c>n, as the <c>files</c>
    /// member of an .npz) holding the input path of each row in row order. Unlike lines of text it keeps any file name
    /// exactly — newlines, tabs, leading spaces and all — and <c>numpy.load</c> reads it without pickle.
    /// </summary>
    public static string SidecarPath(string npyPath) => Path.ChangeExtension(npyPath, null) + ".files.npy";

    /// <summary>
    /// Checks before the work starts that the outputs <see cref="Write(string, IReadOnlyList{string}, float[], long[])"/>
    /// will write for <paramref name="path"/> (with an .npy, its sidecar too) are not folders and their folder is writable.
    /// </summary>
    public static void CheckWritable(string path)
    {
        foreach (var output in EmbeddingFormats.ForPath(path)?.OutputPaths(path) ?? [path]) AtomicFile.CheckWritable(output);
    }

    /// <summary>Reads a sidecar written by <see cref="Write(string, IReadOnlyList{string}, float[], long[])"/>.</summary>
    public static string[] ReadFileList(string sidecarPath)
    {
        using var s = File.OpenRead(sidecarPath);
        return NpyFormat.ReadStrings(s, NpyFormat.ReadHeader(s, sidecarPath), sidecarPath);
    }

    /// <summary>
    /// Writes row-major embeddings of shape (N, d) or (N, T', d) in the format of <paramref name="path"/>'s extension
    /// (<see cref="EmbeddingFormats"/>); returns the paths written. Needs no libtorch (the ONNX Runtime engine writes
    /// through it).
    /// </summary>
    public static IReadOnlyList<string> Write(string path, IReadOnlyList<string> files, float[] values, long[] shape) =>
        (EmbeddingFormats.ForPath(path) ?? throw new ByolAException($"{path}: unknown output format '{Path.GetExtension(path)}'; use a {EmbeddingFormats.Names(EmbeddingFormats.All)} file name"))
            .Write(path, files, values, shape);

    /// <summary>Writes row-major float32 <paramref name="values"/> of <paramref name="shape"/> as a .npy file.</summary>
    public static void WriteNpy(string path, float[] values, long[] shape) =>
        AtomicFile.Write(path, s => WriteNpyData(s, values, shape));

    internal static void WriteNpyData(Stream s, float[] values, long[] shape)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("writing .npy needs a little-endian host");
        s.Write(NpyFormat.HeaderBytes("<f4", shape));
        s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    /// <summary>Reads a little-endian float32 .npy file (C order) as written by <see cref="WriteNpy(string, float[], long[])"/> or NumPy.</summary>
    public static Tensor ReadNpy(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new ByolAException($"{path}: not a .npy file");
        int major = bytes[6];
        int headerLen = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        int start = major == 1 ? 10 : 12;
        var header = Encoding.ASCII.GetString(bytes, start, headerLen);
        if (!header.Contains("'descr': '<f4'") || !header.Contains("'fortran_order': False"))
            throw new ByolAException($"{path}: only little-endian float32 C-order .npy files are supported (header {header.Trim()})");
        int open = header.IndexOf("'shape': (", StringComparison.Ordinal) + 10;
        var shape = header[open..header.IndexOf(')', open)]
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(long.Parse).ToArray();
        var floats = new float[shape.Aggregate(1L, (a, b) => a * b)];
        Buffer.BlockCopy(bytes, start + headerLen, floats, 0, floats.Length * 4);
        return tensor(floats, shape);
    }

    /// <summary>
    /// CSV with a header: <c>file,e0,…</c> and one row per file for (N, d); <c>file,frame,e0,…</c> and one row per
    /// frame for (N, T', d), from row-major <paramref name="values"/> of <paramref name="shape"/>. Values in invariant
    /// culture, round-trip precision.
    /// </summary>
    public static void WriteCsv(string path, IReadOnlyList<string> files, float[] values, long[] shape)
    {
        bool frames = shape.Length == 3;
        if (shape.Length is not (2 or 3) || shape[0] != files.Count)
            throw new ArgumentException($"expected ({files.Count}, d) or ({files.Count}, T, d) embeddings, got ({string.Join(", ", shape)})");
        long t = frames ? shape[1] : 1, d = shape[^1];
        AtomicFile.Write(path, s =>
        {
            using var w = new StreamWriter(s, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            var sb = new StringBuilder("file");
            if (frames) sb.Append(",frame");
            for (long j = 0; j < d; j++) sb.Append(",e").Append(j);
            w.WriteLine(sb);
            long o = 0;
            for (int i = 0; i < files.Count; i++)
                for (long f = 0; f < t; f++)
                {
                    sb.Clear().Append(Quote(CsvCells.Text(files[i])));
                    if (frames) sb.Append(',').Append(f);
                    for (long j = 0; j < d; j++) sb.Append(',').Append(values[o++].ToString("R", CultureInfo.InvariantCulture));
                    w.WriteLine(sb);
                }
        });
    }

    static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
