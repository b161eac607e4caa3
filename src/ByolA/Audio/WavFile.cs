using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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

    /// <summary>
    /// <c>Read(path).ToMono()</c> as one channel, bit for bit, read faster: the common plain layouts (a RIFF/WAVE file
    /// holding one <c>fmt </c> and one <c>data</c> chunk, 16-bit PCM or 32-bit float, plain or WAVE_FORMAT_EXTENSIBLE) are
    /// decoded straight from the file's bytes into the channel mean; anything else, including every malformed file, goes
    /// through <see cref="Read"/> and so gets the same errors.
    /// </summary>
    public static AudioData ReadMono(string path)
    {
        var rented = RentMono(path, out int frames, out int sampleRate);
        try { return new AudioData([rented.AsSpan(0, frames).ToArray()], sampleRate); }
        finally { ArrayPool<float>.Shared.Return(rented); }
    }

    /// <summary>
    /// <see cref="ReadMono"/> into a buffer from <see cref="ArrayPool{T}.Shared"/> (the caller returns it): samples
    /// [0, <paramref name="frames"/>). Converting thousands of files then reuses memory instead of faulting in new pages.
    /// </summary>
    internal static float[] RentMono(string path, out int frames, out int sampleRate)
    {
        byte[]? bytes = null;
        try
        {
            // Files too large for one pooled buffer, or that cannot be opened, are left to Read (and its messages).
            using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                long length = RandomAccess.GetLength(handle);
                if (length is >= 44 and <= MaxFastBytes)
                {
                    bytes = ArrayPool<byte>.Shared.Rent((int)length);
                    int total = 0;
                    while (total < length)
                    {
                        int got = RandomAccess.Read(handle, bytes.AsSpan(total, (int)length - total), total);
                        if (got <= 0) break;
                        total += got;
                    }
                    if (total == length && TryDecodeMono(bytes.AsSpan(0, total), out var mono, out frames, out sampleRate))
                        return mono;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException) { }
        finally
        {
            if (bytes != null) ArrayPool<byte>.Shared.Return(bytes);
        }
        var audio = Read(path);
        var channel = audio.Channels.Length == 1 ? audio.Channels[0] : audio.ToMono();
        var rented = ArrayPool<float>.Shared.Rent(channel.Length);
        channel.CopyTo(rented, 0);
        (frames, sampleRate) = (channel.Length, audio.SampleRate);
        return rented;
    }

    /// <summary>Largest file <see cref="ReadMono"/> decodes itself (256 MiB); larger ones stream through NAudio.</summary>
    const long MaxFastBytes = 256L << 20;

    /// <summary>
    /// Decodes <paramref name="file"/> when it has the plain layout <see cref="ReadMono"/> describes; false otherwise
    /// (the caller then falls back to NAudio). Mean over channels in float32 exactly as <see cref="AudioData.ToMono"/>.
    /// </summary>
    static bool TryDecodeMono(ReadOnlySpan<byte> file, out float[] mono, out int frames, out int sampleRate)
    {
        mono = [];
        frames = sampleRate = 0;
        if (!BitConverter.IsLittleEndian) return false;
        if (!file[..4].SequenceEqual("RIFF"u8) || !file[8..12].SequenceEqual("WAVE"u8)) return false;
        if (BinaryPrimitives.ReadUInt32LittleEndian(file[4..]) != (uint)(file.Length - 8)) return false;
        ReadOnlySpan<byte> fmt = default, data = default;
        bool haveFmt = false, haveData = false;
        int position = 12;
        while (position < file.Length)
        {
            if (file.Length - position < 8) return false;
            var id = file.Slice(position, 4);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(file[(position + 4)..]);
            // Odd sizes (pad bytes) and chunks running past the end are where readers disagree: leave them to NAudio.
            if (size % 2 != 0 || size > (uint)(file.Length - position - 8)) return false;
            var body = file.Slice(position + 8, (int)size);
            if (id.SequenceEqual("fmt "u8)) { if (haveFmt) return false; fmt = body; haveFmt = true; }
            else if (id.SequenceEqual("data"u8)) { if (haveData) return false; data = body; haveData = true; }
            position += 8 + (int)size;
        }
        if (!haveFmt || !haveData || fmt.Length < 16) return false;

        int tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        int rate = BinaryPrimitives.ReadInt32LittleEndian(fmt[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (fmt.Length == 40 && tag == 0xFFFE && BinaryPrimitives.ReadUInt16LittleEndian(fmt[16..]) == 22)
        {
            var subFormat = new Guid(fmt.Slice(24, 16));
            tag = subFormat == SubtypePcm ? 1 : subFormat == SubtypeFloat ? 3 : -1;
        }
        else if (!(fmt.Length == 16 || (fmt.Length == 18 && BinaryPrimitives.ReadUInt16LittleEndian(fmt[16..]) == 0))) return false;
        bool pcm16 = tag == 1 && bits == 16, float32 = tag == 3 && bits == 32;
        if (!(pcm16 || float32) || channels <= 0 || rate <= 0 || blockAlign != channels * bits / 8 || data.Length % blockAlign != 0)
            return false;

        frames = data.Length / blockAlign;
        mono = ArrayPool<float>.Shared.Rent(frames);
        if (pcm16) MeanPcm16(MemoryMarshal.Cast<byte, short>(data), channels, mono.AsSpan(0, frames));
        else MeanFloat32(MemoryMarshal.Cast<byte, float>(data), channels, mono.AsSpan(0, frames));
        sampleRate = rate;
        return true;
    }

    /// <summary>
    /// Channel mean of interleaved 16-bit samples, each scaled by 1/32768 first (as <see cref="Decode"/> then ToMono).
    /// Multiplying by 2^-15 (and by 1/2 for stereo) equals dividing exactly, since powers of two only shift the exponent.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void MeanPcm16(ReadOnlySpan<short> samples, int channels, Span<float> mono)
    {
        const float scale = 1f / 32768f;
        int done = 0;
        if (channels == 1)
        {
            if (Vector256.IsHardwareAccelerated)
                for (; done + Vector256<short>.Count <= mono.Length; done += Vector256<short>.Count)
                {
                    var (lower, upper) = Vector256.Widen(Vector256.Create(samples.Slice(done, Vector256<short>.Count)));
                    (Vector256.ConvertToSingle(lower) * scale).CopyTo(mono[done..]);
                    (Vector256.ConvertToSingle(upper) * scale).CopyTo(mono[(done + Vector256<int>.Count)..]);
                }
            for (int f = done; f < mono.Length; f++) mono[f] = samples[f] * scale;
        }
        else if (channels == 2)
        {
            samples = samples[..(2 * mono.Length)];
            if (Vector256.IsHardwareAccelerated)
            {
                // One stereo frame is one little-endian int32: left in the low half, right in the high half.
                var frames = MemoryMarshal.Cast<short, int>(samples);
                for (; done + Vector256<int>.Count <= mono.Length; done += Vector256<int>.Count)
                {
                    var v = Vector256.Create(frames.Slice(done, Vector256<int>.Count));
                    var left = Vector256.ConvertToSingle(Vector256.ShiftRightArithmetic(Vector256.ShiftLeft(v, 16), 16));
                    var right = Vector256.ConvertToSingle(Vector256.ShiftRightArithmetic(v, 16));
                    ((left * scale + right * scale) * 0.5f).CopyTo(mono[done..]);
                }
            }
            for (int f = done; f < mono.Length; f++) mono[f] = (samples[2 * f] * scale + samples[2 * f + 1] * scale) * 0.5f;
        }
        else
        {
            float count = channels;
            for (int f = 0, i = 0; f < mono.Length; f++)
            {
                float sum = 0;
                for (int c = 0; c < channels; c++, i++) sum += samples[i] * scale;
                mono[f] = sum / count;
            }
        }
    }

    /// <summary>Channel mean of interleaved float32 samples (as ToMono).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void MeanFloat32(ReadOnlySpan<float> samples, int channels, Span<float> mono)
    {
        if (channels == 1)
        {
            samples.CopyTo(mono);
            return;
        }
        float count = channels;
        for (int f = 0, i = 0; f < mono.Length; f++)
        {
            float sum = 0;
            for (int c = 0; c < channels; c++, i++) sum += samples[i];
            mono[f] = sum / count;
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
    public static void WritePcm16(string path, short[] samples, int sampleRate) =>
        WritePcm16(path, (ReadOnlyMemory<short>)samples, sampleRate);

    /// <summary>Writes (N) mono 16-bit samples as a PCM WAV file, atomically.</summary>
    public static void WritePcm16(string path, ReadOnlyMemory<short> samples, int sampleRate)
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
                stream.Write(MemoryMarshal.AsBytes(samples.Span));
            else
            {
                var bytes = new byte[dataBytes];
                var span = samples.Span;
                for (int i = 0; i < span.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2 * i), span[i]);
                stream.Write(bytes);
            }
        });
    }

    /// <summary><c>trunc(clamp(x · 32767, −32768, 32767))</c> for each sample, computed in float32.</summary>
    public static short[] ToPcm16(ReadOnlySpan<float> samples)
    {
        var result = new short[samples.Length];
        ToPcm16(samples, result);
        return result;
    }

    /// <summary>As <see cref="ToPcm16(ReadOnlySpan{float})"/>, into <paramref name="result"/> (same length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToPcm16(ReadOnlySpan<float> samples, Span<short> result)
    {
        if (result.Length != samples.Length) throw new ArgumentException($"result holds {result.Length} samples, expected {samples.Length}", nameof(result));
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // The same float32 steps eight at a time: NaN → 0, clamp, truncating conversion (in range, so exact).
            var low = Vector256.Create(-32768f);
            var high = Vector256.Create(32767f);
            for (; i + 2 * Vector256<float>.Count <= samples.Length; i += 2 * Vector256<float>.Count)
            {
                var a = Vector256.Create(samples.Slice(i, Vector256<float>.Count)) * 32767f;
                var b = Vector256.Create(samples.Slice(i + Vector256<float>.Count, Vector256<float>.Count)) * 32767f;
                a = Vector256.Min(Vector256.Max(Vector256.ConditionalSelect(Vector256.Equals(a, a), a, Vector256<float>.Zero), low), high);
                b = Vector256.Min(Vector256.Max(Vector256.ConditionalSelect(Vector256.Equals(b, b), b, Vector256<float>.Zero), low), high);
                Vector256.Narrow(Vector256.ConvertToInt32(a), Vector256.ConvertToInt32(b)).CopyTo(result[i..]);
            }
        }
        for (; i < samples.Length; i++)
        {
            float v = samples[i] * 32767f;
            // NaN maps to 0 rather than an arbitrary value.
            result[i] = float.IsNaN(v) ? (short)0 : (short)Math.Clamp(v, -32768f, 32767f);
        }
    }
}
