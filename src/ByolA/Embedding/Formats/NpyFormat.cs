using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace ByolA.Embedding.Formats;

/// <summary>
/// The NumPy pieces the embedding archives need: .npy headers (format 1.0, C order, little-endian <c>&lt;f4</c>,
/// <c>&lt;i8</c> and <c>&lt;U</c>n), and .npz archives (a zip of .npy members, stored uncompressed as
/// <c>numpy.savez</c> does, with fixed entry times so the same arrays always give the same bytes).
/// </summary>
internal static class NpyFormat
{
    /// <summary>One member of an .npz: its name without ".npy", dtype, shape, and a writer of its raw C-order data.</summary>
    internal sealed record Member(string Name, string Descr, long[] Shape, Action<Stream> WriteData);

    /// <summary>A parsed .npy header: dtype string, shape, and where the data start.</summary>
    internal sealed record Header(string Descr, long[] Shape, int DataOffset)
    {
        public long Count => Shape.Aggregate(1L, (a, b) => a * b);
    }

    /// <summary>The fixed time of every entry (the zip epoch): archives of equal arrays are equal byte for byte.</summary>
    static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The magic, version, length and header dict of a .npy file, padded to a 64-byte boundary.</summary>
    public static byte[] HeaderBytes(string descr, IReadOnlyList<long> shape)
    {
        string dims = shape.Count == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        int unpadded = 10 + dict.Length + 1;
        dict += new string(' ', (64 - unpadded % 64) % 64) + "\n";
        var bytes = new byte[10 + dict.Length];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY", bytes.AsSpan(1));
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), checked((ushort)dict.Length));
        Encoding.ASCII.GetBytes(dict, bytes.AsSpan(10));
        return bytes;
    }

    /// <summary>Writes the members as an .npz archive to <paramref name="stream"/> (member i as "NAME.npy").</summary>
    public static void WriteNpz(Stream stream, IEnumerable<Member> members)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("writing .npz needs a little-endian host");
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var m in members)
        {
            var entry = zip.CreateEntry(m.Name + ".npy", CompressionLevel.NoCompression);
            entry.LastWriteTime = EntryTime;
            using var s = entry.Open();
            s.Write(HeaderBytes(m.Descr, m.Shape));
            m.WriteData(s);
        }
    }

    /// <summary>A float32 vector member.</summary>
    public static Member Floats(string name, float[] values) =>
        new(name, "<f4", [values.Length], s => s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())));

    /// <summary>An int64 vector member.</summary>
    public static Member Longs(string name, long[] values) =>
        new(name, "<i8", [values.Length], s => s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())));

    /// <summary>
    /// A unicode string vector (<c>&lt;U</c>n, n = the longest string in code points, at least 1): UTF-32LE, each
    /// string zero-padded to n code points, which is how NumPy stores <c>np.array(list_of_str)</c>.
    /// </summary>
    public static Member Strings(string name, IReadOnlyList<string> values)
    {
        int width = Math.Max(1, values.Count == 0 ? 1 : values.Max(v => v.EnumerateRunes().Count()));
        return new(name, $"<U{width}", [values.Count], s =>
        {
            var buffer = new byte[width * 4];
            foreach (var v in values)
            {
                Array.Clear(buffer);
                Encoding.UTF32.GetBytes(v, 0, v.Length, buffer, 0);
                s.Write(buffer);
            }
        });
    }

    /// <summary>Parses the header at the start of <paramref name="s"/> (which is left at the first data byte).</summary>
    public static Header ReadHeader(Stream s, string what)
    {
        var lead = new byte[10];
        s.ReadExactly(lead);
        if (lead[0] != 0x93 || Encoding.ASCII.GetString(lead, 1, 5) != "NUMPY" || lead[6] is not (1 or 2 or 3))
            throw new ByolAException($"{what}: not a NumPy array");
        int length, start = 10;
        if (lead[6] == 1) length = BinaryPrimitives.ReadUInt16LittleEndian(lead.AsSpan(8));
        else
        {
            var more = new byte[2];
            s.ReadExactly(more);
            length = (int)BinaryPrimitives.ReadUInt32LittleEndian([lead[8], lead[9], more[0], more[1]]);
            start = 12;
        }
        var dictBytes = new byte[length];
        s.ReadExactly(dictBytes);
        var dict = Encoding.ASCII.GetString(dictBytes);
        if (!dict.Contains("'fortran_order': False")) throw new ByolAException($"{what}: only C-order arrays are supported");
        string descr = Between(dict, "'descr': '", "'") ?? throw new ByolAException($"{what}: no dtype in the header");
        var shapeText = Between(dict, "'shape': (", ")") ?? throw new ByolAException($"{what}: no shape in the header");
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        return new Header(descr, shape, start + length);
    }

    /// <summary>Reads the rest of <paramref name="s"/> as <paramref name="count"/> values of a fixed-size type.</summary>
    public static T[] ReadValues<T>(Stream s, long count) where T : unmanaged
    {
        var values = new T[count];
        s.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    /// <summary>Reads a <c>&lt;U</c>n vector's strings (trailing NULs removed).</summary>
    public static string[] ReadStrings(Stream s, Header header, string what)
    {
        if (!header.Descr.StartsWith("<U", StringComparison.Ordinal) || !int.TryParse(header.Descr[2..], out int width) || header.Shape.Length != 1)
            throw new ByolAException($"{what}: expected a vector of unicode strings, got {header.Descr} {string.Join("×", header.Shape)}");
        var buffer = new byte[width * 4];
        var result = new string[header.Shape[0]];
        for (long i = 0; i < result.Length; i++)
        {
            s.ReadExactly(buffer);
            int used = width;
            while (used > 0 && BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan((used - 1) * 4)) == 0) used--;
            result[i] = Encoding.UTF32.GetString(buffer, 0, used * 4);
        }
        return result;
    }

    static string? Between(string text, string open, string close)
    {
        int a = text.IndexOf(open, StringComparison.Ordinal);
        if (a < 0) return null;
        a += open.Length;
        int b = text.IndexOf(close, a, StringComparison.Ordinal);
        return b < 0 ? null : text[a..b];
    }
}
