using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace ByolA.Data;

/// <summary>
/// The one reader of WAV headers: walks the chunks of a RIFF/WAVE (or RF64/BW64) file and returns the
/// <see cref="WavLayout"/> of its <c>fmt </c> and <c>data</c> chunks. Every header problem is a
/// <see cref="ByolAException"/> "<c>path: reason</c>" with the header's true values, never an arithmetic fault.
/// A data size that is a placeholder (0 or 0xFFFFFFFF, left by tools writing to a pipe) or larger than the file is not
/// an error: the data run to the end of the file, as sox and soundfile read them, and <see cref="WavLayout.Note"/> says so.
/// </summary>
internal static class RiffWalker
{
    static readonly Guid SubtypePcm = new("00000001-0000-0010-8000-00aa00389b71");
    static readonly Guid SubtypeFloat = new("00000003-0000-0010-8000-00aa00389b71");

    /// <summary>The supported sample formats, for messages.</summary>
    public const string Supported = "supported: PCM 8/16/24/32-bit, IEEE float 32/64-bit";

    /// <summary>Opens <paramref name="path"/> for reading; a missing, empty or unopenable file is a <see cref="ByolAException"/>.</summary>
    public static SafeFileHandle Open(string path)
    {
        // Before opening: opening a FIFO blocks until something writes to it, and a device never ends.
        if (InputFile.SpecialKind(path) is { } kind) throw new ByolAException($"{path}: is {kind}, not a regular file; not a WAV file");
        try
        {
            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (RandomAccess.GetLength(handle) == 0)
            {
                handle.Dispose();
                throw new ByolAException($"{path}: empty file (0 bytes), no audio");
            }
            return handle;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ByolAException($"{path}: file not found", e);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ByolAException($"{path}: not a valid file path ({e.Message.TrimEnd('.')})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw IoErrors.Failure(path, "read", e);
        }
    }

    /// <summary>The layout of the WAV file at <paramref name="path"/> (reads only its header chunks).</summary>
    public static WavLayout Read(string path)
    {
        using var handle = Open(path);
        return Read(handle, path);
    }

    /// <summary>The layout of the open WAV file <paramref name="handle"/>; <paramref name="path"/> names it in errors.</summary>
    public static WavLayout Read(SafeFileHandle handle, string path)
    {
        try { return Walk(handle, path); }
        catch (IOException e) { throw IoErrors.Failure(path, "read", e); }
    }

    static ByolAException NotWav(string path, string why) => new($"{path}: not a readable WAV file ({why})");

    static WavLayout Walk(SafeFileHandle handle, string path)
    {
        long length = RandomAccess.GetLength(handle);
        Span<byte> head = stackalloc byte[12];
        if (ReadAt(handle, head, 0) < 12) throw NotWav(path, $"{length} bytes, too short for a RIFF header");
        bool rf64 = head[..4].SequenceEqual("RF64"u8) || head[..4].SequenceEqual("BW64"u8);
        if (!(head[..4].SequenceEqual("RIFF"u8) || rf64) || !head[8..12].SequenceEqual("WAVE"u8))
            throw NotWav(path, "no RIFF/WAVE header");
        uint riffSize = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
        bool riffExact = !rf64 && riffSize == length - 8;

        Span<byte> chunk = stackalloc byte[8];
        Span<byte> fmt = stackalloc byte[40];
        Span<byte> ds64 = stackalloc byte[16];
        int fmtLength = -1;
        long dataOffset = -1, dataBytes = 0, ds64Data = -1;
        bool dataExact = true;
        string? note = null;
        long position = 12;
        while (fmtLength < 0 || dataOffset < 0)
        {
            if (length - position < 8)
                throw NotWav(path, fmtLength < 0 ? "no fmt chunk" : "no data chunk");
            ReadAt(handle, chunk, position);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            long body = position + 8, available = length - body;
            var id = chunk[..4];
            if (id.SequenceEqual("data"u8))
            {
                long declared = rf64 && size == uint.MaxValue && ds64Data >= 0 ? ds64Data : size;
                // 0 is a placeholder only when something follows and the RIFF size does not vouch for an empty chunk.
                bool placeholder = declared > available || (!rf64 && size == uint.MaxValue) || (declared == 0 && available > 0 && !riffExact);
                if (placeholder)
                {
                    note = $"{path}: the header gives {declared} bytes of audio, the file holds {available} (written to a pipe, or cut short?); read to the end of the file";
                    declared = available;
                    dataExact = false;
                }
                (dataOffset, dataBytes) = (body, declared);
                position = body + declared + (declared & 1);
                continue;
            }
            if (size > available)
                throw NotWav(path, $"the '{Printable(id)}' chunk claims {size} bytes, only {available} follow");
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16) throw NotWav(path, $"fmt chunk of {size} bytes, at least 16 needed");
                fmtLength = (int)Math.Min(size, 40);
                ReadAt(handle, fmt[..fmtLength], body);
            }
            else if (rf64 && id.SequenceEqual("ds64"u8) && size >= 24)
            {
                ReadAt(handle, ds64, body);
                ds64Data = BinaryPrimitives.ReadInt64LittleEndian(ds64[8..]);
            }
            position = body + size + (size & 1);
        }
        var (isFloat, channels, rate, bits) = Format(path, fmt[..fmtLength]);
        int block = channels * bits / 8;
        if (dataExact && dataBytes % block != 0)
            throw new ByolAException($"{path}: truncated (audio data ends in the middle of a frame: {dataBytes} bytes, frame size {block})");
        // A header without a single frame is no audio: embedding it gave a silent zero-padded clip, converting it a 44-byte output.
        if (dataBytes < block)
            throw new ByolAException($"{path}: holds no samples (a WAV header whose data chunk is empty); not usable audio");
        return new WavLayout(isFloat, channels, rate, bits, dataOffset, dataBytes - dataBytes % block, riffExact && dataExact, note);
    }

    /// <summary>Checks the <c>fmt </c> chunk and returns its supported format; reports the header's values as they are.</summary>
    static (bool IsFloat, int Channels, int SampleRate, int Bits) Format(string path, ReadOnlySpan<byte> fmt)
    {
        int tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        uint rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (channels == 0) throw new ByolAException($"{path}: invalid WAV header (0 channels)");
        if (bits == 0) throw new ByolAException($"{path}: invalid WAV header (0 bits per sample)");
        if (rate == 0 || rate > int.MaxValue) throw new ByolAException($"{path}: invalid WAV header (sample rate {rate} Hz)");
        if (tag == 0xFFFE)
        {
            Guid? sub = fmt.Length >= 40 && BinaryPrimitives.ReadUInt16LittleEndian(fmt[16..]) >= 22 ? new Guid(fmt.Slice(24, 16)) : null;
            tag = sub == SubtypePcm ? 1 : sub == SubtypeFloat ? 3 : throw new ByolAException(
                $"{path}: unsupported WAV encoding (WAVE_FORMAT_EXTENSIBLE sub-format {sub?.ToString() ?? "missing"}); {Supported}");
        }
        bool isFloat = tag == 3;
        if (tag is not (1 or 3))
            throw new ByolAException($"{path}: unsupported WAV encoding {EncodingName(tag)} ({bits}-bit); {Supported} — convert it to PCM first");
        if (isFloat ? bits is not (32 or 64) : bits is not (8 or 16 or 24 or 32))
            throw new ByolAException($"{path}: unsupported {(isFloat ? "IEEE float" : "PCM")} sample size {bits}-bit; {Supported}");
        long expected = (long)channels * (bits / 8);
        if (blockAlign != expected)
            throw new ByolAException($"{path}: invalid WAV header (block align {blockAlign}, expected {expected} for {channels} × {bits}-bit)");
        return (isFloat, channels, (int)rate, bits);
    }

    static string EncodingName(int tag) => tag switch
    {
        2 => "MS ADPCM",
        6 => "A-law",
        7 => "µ-law",
        0x11 => "IMA ADPCM",
        0x55 => "MP3",
        _ => $"0x{tag:X4}",
    };

    static string Printable(ReadOnlySpan<byte> id)
    {
        Span<char> chars = stackalloc char[id.Length];
        for (int i = 0; i < id.Length; i++) chars[i] = id[i] is >= 0x20 and < 0x7F ? (char)id[i] : '?';
        return new string(chars);
    }

    /// <summary>Reads up to <c>buffer.Length</c> bytes at <paramref name="offset"/>; returns how many were read.</summary>
    internal static int ReadAt(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int got = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (got <= 0) break;
            total += got;
        }
        return total;
    }
}
