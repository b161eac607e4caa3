using ByolA.Data;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ByolA.Audio;
using static TorchSharp.torch;

namespace ByolA.Evaluation;

/// <summary>
/// Writes embeddings as NumPy <c>.npy</c> (float32, C order, format 1.0) with a sidecar list of file names, or as
/// CSV. Every file is written atomically (temporary name, then rename).
/// </summary>
public static class EmbedderOutput
{
    /// <summary>The sidecar of <c>X.npy</c>: <c>X.files.txt</c>, one input path per line, row order.</summary>
    public static string SidecarPath(string npyPath) => Path.ChangeExtension(npyPath, null) + ".files.txt";

    /// <summary>Writes .npy plus sidecar, or .csv, chosen by the extension of <paramref name="path"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(string path, IReadOnlyList<string> files, Tensor embeddings)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".npy")
        {
            WriteNpy(path, embeddings);
            var sidecar = SidecarPath(path);
            AtomicFile.Write(sidecar, s =>
            {
                using var w = new StreamWriter(s, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
                foreach (var f in files) w.WriteLine(f);
            });
            return [path, sidecar];
        }
        if (ext == ".csv")
        {
            WriteCsv(path, files, embeddings);
            return [path];
        }
        throw new ByolAException($"{path}: unknown output format '{ext}'; use a .npy or .csv file name");
    }

    /// <summary>Writes a float32 tensor of any rank as a .npy file (header dict padded to a 64-byte boundary).</summary>
    public static void WriteNpy(string path, Tensor values)
    {
        using var scope = NewDisposeScope();
        var data = values.detach().cpu().to(float32).contiguous();
        var shape = data.shape;
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        int unpadded = 10 + header.Length + 1;
        header += new string(' ', (64 - unpadded % 64) % 64) + "\n";
        AtomicFile.Write(path, s =>
        {
            s.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
            Span<byte> len = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(len, checked((ushort)header.Length));
            s.Write(len);
            s.Write(Encoding.ASCII.GetBytes(header));
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("writing .npy needs a little-endian host");
            // Row chunks keep the managed copy small for large outputs.
            long rows = shape.Length == 0 ? 1 : shape[0];
            var flat = data.reshape(rows, -1);
            long chunk = Math.Max(1, (1 << 22) / Math.Max(1, flat.shape[1]));
            for (long r = 0; r < rows; r += chunk)
            {
                using var part = flat.narrow(0, r, Math.Min(chunk, rows - r)).contiguous();
                s.Write(part.bytes);
            }
        });
    }

    /// <summary>Reads a little-endian float32 .npy file (C order) as written by <see cref="WriteNpy"/> or NumPy.</summary>
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
    /// frame for (N, T', d). Values in invariant culture, round-trip precision.
    /// </summary>
    public static void WriteCsv(string path, IReadOnlyList<string> files, Tensor embeddings)
    {
        using var scope = NewDisposeScope();
        var data = embeddings.detach().cpu().to(float32).contiguous();
        bool frames = data.dim() == 3;
        if (data.dim() is not (2 or 3) || data.shape[0] != files.Count)
            throw new ArgumentException($"expected ({files.Count}, d) or ({files.Count}, T, d) embeddings, got ({string.Join(", ", data.shape)})");
        long t = frames ? data.shape[1] : 1, d = data.shape[^1];
        var values = data.data<float>().ToArray();
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
                    sb.Clear().Append(Quote(files[i]));
                    if (frames) sb.Append(',').Append(f);
                    for (long j = 0; j < d; j++) sb.Append(',').Append(values[o++].ToString("R", CultureInfo.InvariantCulture));
                    w.WriteLine(sb);
                }
        });
    }

    static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
