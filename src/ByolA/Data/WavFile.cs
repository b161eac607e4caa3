using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Microsoft.Win32.SafeHandles;

namespace ByolA.Data;

/// <summary>
/// The one WAV decoder (PCM 8/16/24/32-bit, IEEE float 32/64-bit, plain or WAVE_FORMAT_EXTENSIBLE, RIFF or RF64, any
/// channel count; headers through <see cref="RiffWalker"/>) and 16-bit PCM writer. Integer PCM is scaled to [-1, 1) by
/// 2^(bits-1) (8-bit is unsigned, centred on 128), as torchaudio and soundfile do; float data is returned as is. Every
/// failure to read is a <see cref="ByolAException"/> naming the file and the reason. Data are read in blocks of about
/// 1 MiB, so decoding a long file needs no second copy of it in memory.
/// </summary>
internal static class WavFile
{
    const int BlockBytes = 1 << 20;

    /// <summary>Reads a whole file, one array per channel. A size note from the header (see <see cref="WavLayout.Note"/>) goes to <paramref name="warn"/>.</summary>
    public static AudioData Read(string path, Action<string>? warn = null)
    {
        using var handle = RiffWalker.Open(path);
        var layout = Layout(handle, path, warn);
        int frames = checked((int)layout.Frames);
        var result = new float[layout.Channels][];
        for (int c = 0; c < layout.Channels; c++) result[c] = new float[frames];
        int channels = layout.Channels;
        var interleaved = ArrayPool<float>.Shared.Rent(BlockFrames(layout) * channels);
        try
        {
            for (int done = 0; done < frames;)
            {
                int n = Math.Min(BlockFrames(layout), frames - done);
                ReadInterleaved(handle, path, layout, done, n, interleaved.AsSpan(0, n * channels));
                for (int f = 0, i = 0; f < n; f++)
                    for (int c = 0; c < channels; c++, i++) result[c][done + f] = interleaved[i];
                done += n;
            }
        }
        finally { ArrayPool<float>.Shared.Return(interleaved); }
        return new AudioData(result, layout.SampleRate);
    }

    /// <summary>
    /// <c>Read(path).ToMono()</c> as one channel, bit for bit; 16-bit PCM and 32-bit float are decoded straight into the
    /// channel mean, without per-channel arrays.
    /// </summary>
    public static AudioData ReadMono(string path, Action<string>? warn = null)
    {
        var rented = RentMono(path, out int frames, out int sampleRate, warn);
        try { return new AudioData([rented.AsSpan(0, frames).ToArray()], sampleRate); }
        finally { ArrayPool<float>.Shared.Return(rented); }
    }

    /// <summary>
    /// <c>ReadMono(path)</c> into a buffer from <see cref="ArrayPool{T}.Shared"/> (the caller returns it): samples
    /// [0, <paramref name="frames"/>). Converting thousands of files then reuses memory instead of faulting in new pages.
    /// </summary>
    public static float[] RentMono(string path, out int frames, out int sampleRate, Action<string>? warn = null)
    {
        using var handle = RiffWalker.Open(path);
        var layout = Layout(handle, path, warn);
        frames = checked((int)layout.Frames);
        sampleRate = layout.SampleRate;
        var mono = ArrayPool<float>.Shared.Rent(frames);
        try { ReadMono(handle, path, layout, 0, mono.AsSpan(0, frames)); }
        catch { ArrayPool<float>.Shared.Return(mono); throw; }
        return mono;
    }

    /// <summary>
    /// Frames [<paramref name="start"/>, start + mono.Length) of the open file as their channel mean, reading only
    /// those frames' bytes. Bit for bit the same values as the same slice of <c>ReadMono(path)</c>.
    /// </summary>
    public static void ReadMono(SafeFileHandle handle, string path, WavLayout layout, long start, Span<float> mono)
    {
        if (start < 0 || start + mono.Length > layout.Frames)
            throw new ArgumentOutOfRangeException(nameof(start), $"frames {start}+{mono.Length} of {layout.Frames}");
        int channels = layout.Channels;
        int blockFrames = BlockFrames(layout);
        var bytes = ArrayPool<byte>.Shared.Rent(blockFrames * layout.BlockAlign);
        var interleaved = layout.HasFastPath || channels == 1 ? null : ArrayPool<float>.Shared.Rent(blockFrames * channels);
        try
        {
            for (int done = 0; done < mono.Length;)
            {
                int n = Math.Min(blockFrames, mono.Length - done);
                var data = bytes.AsSpan(0, n * layout.BlockAlign);
                ReadData(handle, path, layout, start + done, data);
                var output = mono.Slice(done, n);
                if (layout.HasFastPath && layout.IsFloat) MeanFloat32(MemoryMarshal.Cast<byte, float>(data), channels, output);
                else if (layout.HasFastPath) MeanPcm16(MemoryMarshal.Cast<byte, short>(data), channels, output);
                else if (channels == 1) Decode(data, output, layout.IsFloat, layout.BitsPerSample);
                else
                {
                    var samples = interleaved.AsSpan(0, n * channels);
                    Decode(data, samples, layout.IsFloat, layout.BitsPerSample);
                    // The same float32 sum in channel order and division as AudioData.ToMono.
                    float count = channels;
                    for (int f = 0, i = 0; f < n; f++)
                    {
                        float sum = 0;
                        for (int c = 0; c < channels; c++, i++) sum += samples[i];
                        output[f] = sum / count;
                    }
                }
                if (layout.IsFloat) RequireFinite(path, output, start + done, 1);
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            if (interleaved != null) ArrayPool<float>.Shared.Return(interleaved);
        }
    }

    /// <summary>The layout of the open file, with its size note (if any) passed to <paramref name="warn"/> and a size check.</summary>
    public static WavLayout Layout(SafeFileHandle handle, string path, Action<string>? warn)
    {
        var layout = RiffWalker.Read(handle, path);
        if (layout.Frames > Array.MaxLength)
            throw new ByolAException($"{path}: audio data too large ({layout.DataBytes} bytes, {layout.Frames} frames; at most {Array.MaxLength} frames per file)");
        if (layout.Note != null) warn?.Invoke(layout.Note);
        return layout;
    }

    static int BlockFrames(WavLayout layout) => Math.Max(1, BlockBytes / layout.BlockAlign);

    static void ReadInterleaved(SafeFileHandle handle, string path, WavLayout layout, long start, int frames, Span<float> output)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(frames * layout.BlockAlign);
        try
        {
            var data = bytes.AsSpan(0, frames * layout.BlockAlign);
            ReadData(handle, path, layout, start, data);
            Decode(data, output, layout.IsFloat, layout.BitsPerSample);
            if (layout.IsFloat) RequireFinite(path, output, start, layout.Channels);
        }
        finally { ArrayPool<byte>.Shared.Return(bytes); }
    }

    /// <summary>
    /// Reads every frame of a float file (PCM returns at once) and throws, as any read does, at the first NaN or
    /// infinite sample: for callers that then use only part of the file (<see cref="ClipSource"/>'s crops).
    /// </summary>
    public static void RequireFinite(SafeFileHandle handle, string path, WavLayout layout)
    {
        if (!layout.IsFloat) return;
        int blockFrames = BlockFrames(layout);
        var block = ArrayPool<float>.Shared.Rent(blockFrames * layout.Channels);
        try
        {
            for (long frame = 0; frame < layout.Frames; frame += blockFrames)
            {
                int n = (int)Math.Min(blockFrames, layout.Frames - frame);
                ReadInterleaved(handle, path, layout, frame, n, block.AsSpan(0, n * layout.Channels));
            }
        }
        finally { ArrayPool<float>.Shared.Return(block); }
    }

    /// <summary>
    /// Float samples that are NaN or infinite make a file unreadable everywhere (train, embed, evaluate, convert-wav):
    /// one such sample turns a log-mel, an embedding or a training loss into NaN, and a resampler would spread it.
    /// <paramref name="values"/> are interleaved frames from <paramref name="firstFrame"/> (a channel mean when
    /// <paramref name="channels"/> is 1, which a non-finite sample of any channel makes non-finite too).
    /// </summary>
    static void RequireFinite(string path, ReadOnlySpan<float> values, long firstFrame, int channels)
    {
        if (AllFinite(values)) return;
        int at = FirstNonFinite(values);
        throw new ByolAException($"{path}: not a usable WAV file (frame {firstFrame + at / channels} holds {values[at]}; audio samples must be finite)");
    }

    static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    static bool AllFinite(ReadOnlySpan<float> samples)
    {
        // x - x is 0 for every finite x and NaN for NaN and ±infinity.
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + Vector256<float>.Count <= samples.Length; i += Vector256<float>.Count)
            {
                var v = Vector256.Create(samples.Slice(i, Vector256<float>.Count));
                if (!Vector256.EqualsAll(v - v, Vector256<float>.Zero)) return false;
            }
        for (; i < samples.Length; i++)
            if (!float.IsFinite(samples[i])) return false;
        return true;
    }

    /// <summary>Fills <paramref name="data"/> with the bytes of the frames from <paramref name="start"/>; a file that shrank meanwhile is "truncated".</summary>
    static void ReadData(SafeFileHandle handle, string path, WavLayout layout, long start, Span<byte> data)
    {
        int got;
        try { got = RiffWalker.ReadAt(handle, data, layout.DataOffset + start * layout.BlockAlign); }
        catch (IOException e) { throw IoErrors.Failure(path, "read", e); }
        if (got < data.Length)
            throw new ByolAException($"{path}: truncated (header announces {layout.DataBytes} bytes of audio, the file holds {layout.DataOffset + start * layout.BlockAlign + got - layout.DataOffset})");
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

    /// <summary>Interleaved samples of <paramref name="data"/> as float32, in the same order (the scaling of the class summary).</summary>
    static void Decode(ReadOnlySpan<byte> data, Span<float> output, bool isFloat, int bits)
    {
        if (isFloat && bits == 32) MemoryMarshal.Cast<byte, float>(data)[..output.Length].CopyTo(output);
        else if (isFloat)
        {
            var samples = MemoryMarshal.Cast<byte, double>(data);
            for (int i = 0; i < output.Length; i++) output[i] = (float)samples[i];
        }
        else if (bits == 16)
        {
            var samples = MemoryMarshal.Cast<byte, short>(data);
            for (int i = 0; i < output.Length; i++) output[i] = samples[i] / 32768f;
        }
        else if (bits == 8)
        {
            for (int i = 0; i < output.Length; i++) output[i] = (data[i] - 128) / 128f;
        }
        else if (bits == 24)
        {
            for (int i = 0, o = 0; o < output.Length; o++, i += 3)
            {
                int v = (data[i] | data[i + 1] << 8 | data[i + 2] << 16) << 8 >> 8; // sign-extend
                output[o] = v / 8388608f;
            }
        }
        else
        {
            var samples = MemoryMarshal.Cast<byte, int>(data);
            for (int i = 0; i < output.Length; i++) output[i] = (float)(samples[i] / 2147483648.0);
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
