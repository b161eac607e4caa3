using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NAudio.Wave;

namespace ByolA.Audio;

/// <summary>
/// WAV reading (PCM 8/16/24/32-bit, IEEE float 32/64-bit, plain or WAVE_FORMAT_EXTENSIBLE, any channel count)
/// and 16-bit PCM writing. Every failure to read is a <see cref="ByolAException"/> naming the file and the reason.
/// </summary>
public static class WavFile
{
    static readonly Guid SubtypePcm = new("00000001-0000-0010-8000-00aa00389b71");
    static readonly Guid SubtypeFloat = new("00000003-0000-0010-8000-00aa00389b71");

    /// <summary>
    /// Reads a whole file. Integer PCM is scaled to [-1, 1) by 2^(bits-1) (8-bit is unsigned, centred on 128),
    /// as torchaudio and soundfile do; float data is returned as is.
    /// </summary>
    public static AudioData Read(string path)
    {
        FileInfo info;
        try { info = new FileInfo(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ByolAException($"{path}: not a valid file path ({e.Message})", e);
        }
        if (!info.Exists) throw new ByolAException($"{path}: file not found");
        if (info.Length == 0) throw new ByolAException($"{path}: empty file (0 bytes), not a WAV file");

        try
        {
            using var reader = new WaveFileReader(path);
            var format = reader.WaveFormat;
            var (isFloat, bits) = Describe(path, format);
            int channels = format.Channels;
            int bytesPerSample = bits / 8;
            if (channels <= 0) throw new ByolAException($"{path}: invalid WAV header (0 channels)");
            if (format.SampleRate <= 0) throw new ByolAException($"{path}: invalid WAV header (sample rate {format.SampleRate})");
            if (format.BlockAlign != channels * bytesPerSample)
                throw new ByolAException($"{path}: invalid WAV header (block align {format.BlockAlign}, expected {channels * bytesPerSample} for {channels} × {bits}-bit)");

            long expected = reader.Length;
            if (expected > int.MaxValue) throw new ByolAException($"{path}: audio data too large ({expected} bytes; at most 2 GiB per file)");
            var data = new byte[expected];
            int total = 0;
            int block = format.BlockAlign;
            while (total < data.Length)
            {
                int want = Math.Min(1 << 20, data.Length - total);
                want -= want % block;
                // NAudio reads whole frames only and clamps a read to the chunk end, which fetches a partial last frame.
                if (want == 0) want = block;
                int got = reader.Read(data, total, want);
                if (got <= 0) break;
                total += got;
            }
            if (total < expected)
                throw new ByolAException($"{path}: truncated (header announces {expected} bytes of audio, the file holds {total})");
            if (total % block != 0)
                throw new ByolAException($"{path}: truncated (audio data ends in the middle of a frame: {total} bytes, frame size {block})");

            int frames = total / block;
            var result = new float[channels][];
            for (int c = 0; c < channels; c++) result[c] = new float[frames];
            Decode(data.AsSpan(0, total), result, isFloat, bits);
            return new AudioData(result, format.SampleRate);
        }
        catch (ByolAException) { throw; }
        catch (Exception e) when (e is FormatException or EndOfStreamException or InvalidDataException or ArgumentException or InvalidOperationException)
        {
            throw new ByolAException($"{path}: not a readable WAV file ({e.Message.TrimEnd('.')})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ByolAException($"{path}: cannot read ({e.Message.TrimEnd('.')})", e);
        }
    }

    static (bool IsFloat, int Bits) Describe(string path, WaveFormat format)
    {
        int bits = format.BitsPerSample;
        bool isFloat;
        switch (format.Encoding)
        {
            case WaveFormatEncoding.Pcm: isFloat = false; break;
            case WaveFormatEncoding.IeeeFloat: isFloat = true; break;
            case WaveFormatEncoding.Extensible when SubFormat(format) == SubtypePcm: isFloat = false; break;
            case WaveFormatEncoding.Extensible when SubFormat(format) == SubtypeFloat: isFloat = true; break;
            case WaveFormatEncoding.Extensible:
                throw new ByolAException($"{path}: unsupported WAV encoding (WAVE_FORMAT_EXTENSIBLE sub-format {SubFormat(format)?.ToString() ?? "missing"}); supported: PCM 8/16/24/32-bit, IEEE float 32/64-bit");
            default:
                throw new ByolAException($"{path}: unsupported WAV encoding {format.Encoding} ({bits}-bit); supported: PCM 8/16/24/32-bit, IEEE float 32/64-bit — convert it to PCM first");
        }
        bool ok = isFloat ? bits is 32 or 64 : bits is 8 or 16 or 24 or 32;
        if (!ok)
            throw new ByolAException($"{path}: unsupported {(isFloat ? "IEEE float" : "PCM")} sample size {bits}-bit; supported: PCM 8/16/24/32-bit, IEEE float 32/64-bit");
        return (isFloat, bits);
    }

    /// <summary>The sub-format GUID of WAVE_FORMAT_EXTENSIBLE; NAudio's reader keeps it in the extra bytes (offset 6).</summary>
    static Guid? SubFormat(WaveFormat format) => format switch
    {
        WaveFormatExtensible ext => ext.SubFormat,
        WaveFormatExtraData { ExtraData.Length: >= 22 } extra => new Guid(extra.ExtraData.AsSpan(6, 16)),
        _ => null,
    };

    static void Decode(ReadOnlySpan<byte> data, float[][] output, bool isFloat, int bits)
    {
        int channels = output.Length;
        int frames = output[0].Length;
        if (isFloat && bits == 32)
        {
            var samples = MemoryMarshal.Cast<byte, float>(data);
            for (int f = 0, i = 0; f < frames; f++)
                for (int c = 0; c < channels; c++, i++) output[c][f] = samples[i];
        }
        else if (isFloat)
        {
            var samples = MemoryMarshal.Cast<byte, double>(data);
            for (int f = 0, i = 0; f < frames; f++)
                for (int c = 0; c < channels; c++, i++) output[c][f] = (float)samples[i];
        }
        else if (bits == 16)
        {
            var samples = MemoryMarshal.Cast<byte, short>(data);
            for (int f = 0, i = 0; f < frames; f++)
                for (int c = 0; c < channels; c++, i++) output[c][f] = samples[i] / 32768f;
        }
        else if (bits == 8)
        {
            for (int f = 0, i = 0; f < frames; f++)
                for (int c = 0; c < channels; c++, i++) output[c][f] = (data[i] - 128) / 128f;
        }
        else if (bits == 24)
        {
            for (int f = 0, i = 0; f < frames; f++)
                for (int c = 0; c < channels; c++, i += 3)
                {
                    int v = (data[i] | data[i + 1] << 8 | data[i + 2] << 16) << 8 >> 8; // sign-extend
                    output[c][f] = v / 8388608f;
                }
        }
        else
        {
            var samples = MemoryMarshal.Cast<byte, int>(data);
            for (int f = 0, i = 0; f < frames; f++)
                for (int c = 0; c < channels; c++, i++) output[c][f] = (float)(samples[i] / 2147483648.0);
        }
    }

    /// <summary>
    /// Writes (N) mono samples as 16-bit PCM: <c>int16 = trunc(clamp(x · 32767, −32768, 32767))</c> (truncation
    /// toward zero as torch's <c>.to(int16)</c>; the clamp guards the wrap-around the original would do).
    /// Written atomically (temp name in the same folder, then rename).
    /// </summary>
    public static void WritePcm16(string path, float[] mono, int sampleRate) =>
        WritePcm16(path, ToPcm16(mono), sampleRate);

    /// <summary>Writes (N) mono 16-bit samples as a PCM WAV file, atomically.</summary>
    public static void WritePcm16(string path, short[] samples, int sampleRate)
    {
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "must be positive");
        long dataBytes = 2L * samples.Length;
        if (dataBytes > uint.MaxValue - 36) throw new ByolAException($"{path}: too long for a WAV file ({samples.Length} samples)");
        AtomicFile.Write(path, stream =>
        {
            Span<byte> header = stackalloc byte[44];
            "RIFF"u8.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(36 + dataBytes));
            "WAVE"u8.CopyTo(header[8..]);
            "fmt "u8.CopyTo(header[12..]);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
            BinaryPrimitives.WriteUInt16LittleEndian(header[20..], 1); // PCM
            BinaryPrimitives.WriteUInt16LittleEndian(header[22..], 1); // mono
            BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)sampleRate);
            BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)sampleRate * 2);
            BinaryPrimitives.WriteUInt16LittleEndian(header[32..], 2);
            BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 16);
            "data"u8.CopyTo(header[36..]);
            BinaryPrimitives.WriteUInt32LittleEndian(header[40..], (uint)dataBytes);
            stream.Write(header);
            if (BitConverter.IsLittleEndian)
                stream.Write(MemoryMarshal.AsBytes(samples.AsSpan()));
            else
            {
                var bytes = new byte[dataBytes];
                for (int i = 0; i < samples.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2 * i), samples[i]);
                stream.Write(bytes);
            }
        });
    }

    /// <summary><c>trunc(clamp(x · 32767, −32768, 32767))</c> for each sample, computed in float32.</summary>
    public static short[] ToPcm16(ReadOnlySpan<float> samples)
    {
        var result = new short[samples.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            float v = samples[i] * 32767f;
            // NaN maps to 0 rather than an arbitrary value.
            result[i] = float.IsNaN(v) ? (short)0 : (short)Math.Clamp(v, -32768f, 32767f);
        }
        return result;
    }
}
