using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ByolA.Data;

/// <summary>
/// FLAC decoder written from the format's specification (RFC 9639): native FLAC files (optionally after an ID3v2 tag),
/// fixed-size and variable-size blocks, constant, verbatim, fixed and LPC subframes, wasted bits, 4- to 32-bit samples,
/// 1 to 8 channels and the left/side, side/right and mid/side stereo modes. Every frame's header CRC-8 and CRC-16 is
/// checked, and so is the MD5 of the decoded audio when the encoder stored one, so a corrupt file is an error rather
/// than wrong audio. Samples are scaled to [-1, 1) by 2^(bits-1) exactly as <see cref="WavFile"/> scales integer PCM,
/// so a FLAC file decodes to the same floats as the WAV file it was made from. Every failure is a
/// <see cref="ByolAException"/> "path: reason".
/// </summary>
internal static class FlacFile
{
    /// <summary>Whether <paramref name="head"/> (the first bytes of a file) starts a native FLAC stream.</summary>
    public static bool IsFlac(ReadOnlySpan<byte> head) => head.Length >= 4 && head[..4].SequenceEqual("fLaC"u8);

    /// <summary>Decodes the file at <paramref name="path"/>, one float array per channel.</summary>
    public static AudioData Read(string path) => Decode(AudioDecoder.ReadAllBytes(path), path);

    /// <summary>Decodes FLAC bytes (<paramref name="path"/> names them in errors), one float array per channel.</summary>
    public static AudioData Decode(byte[] data, string path)
    {
        var samples = DecodeIntegers(data, path, out var info);
        var channels = new float[samples.Length][];
        for (int c = 0; c < samples.Length; c++)
        {
            var source = samples[c];
            var target = channels[c] = new float[source.Length];
            if (info.BitsPerSample == 32)
                for (int i = 0; i < source.Length; i++) target[i] = (float)(source[i] / 2147483648.0);
            else
            {
                // Integers of up to 24 bits are exact in float32 and the divisor is a power of two: as WavFile's decoder.
                float scale = 1 << (info.BitsPerSample - 1);
                for (int i = 0; i < source.Length; i++) target[i] = source[i] / scale;
            }
        }
        return new AudioData(channels, info.SampleRate);
    }

    /// <summary>The decoded integer samples of the file at <paramref name="path"/>, one array per channel.</summary>
    public static int[][] ReadIntegers(string path, out FlacStreamInfo info) => DecodeIntegers(AudioDecoder.ReadAllBytes(path), path, out info);

    /// <summary>Decodes FLAC bytes to integer samples, one array per channel (see the class summary).</summary>
    public static int[][] DecodeIntegers(byte[] data, string path, out FlacStreamInfo info)
    {
        info = ReadHeader(data, path, out int position);
        return new FrameDecoder(data, path, info).Run(position);
    }

    static ByolAException Corrupt(string path, string why) => new($"{path}: not a readable FLAC file ({why})");

    /// <summary>Skips an ID3v2 tag, checks the "fLaC" marker and walks the metadata blocks to the first frame.</summary>
    static FlacStreamInfo ReadHeader(byte[] data, string path, out int firstFrame)
    {
        int position = AudioDecoder.SkipId3v2(data);
        if (!IsFlac(data.AsSpan(Math.Min(position, data.Length))))
            throw Corrupt(path, "no fLaC marker");
        position += 4;
        FlacStreamInfo? info = null;
        bool last = false;
        while (!last)
        {
            if (data.Length - position < 4) throw new ByolAException($"{path}: truncated (the FLAC metadata ends after {data.Length} bytes)");
            byte flags = data[position];
            last = (flags & 0x80) != 0;
            int type = flags & 0x7F;
            int length = data[position + 1] << 16 | data[position + 2] << 8 | data[position + 3];
            position += 4;
            if (type == 127) throw Corrupt(path, "invalid metadata block type 127");
            if (length > data.Length - position)
                throw new ByolAException($"{path}: truncated (a FLAC metadata block claims {length} bytes, {data.Length - position} follow)");
            if (info == null)
            {
                if (type != 0 || length < 34) throw Corrupt(path, "the first metadata block is not STREAMINFO");
                info = StreamInfo(data.AsSpan(position, 34), path);
            }
            position += length;
        }
        firstFrame = position;
        return info!;
    }

    static FlacStreamInfo StreamInfo(ReadOnlySpan<byte> block, string path)
    {
        int maxBlock = BinaryPrimitives.ReadUInt16BigEndian(block[2..]);
        ulong packed = BinaryPrimitives.ReadUInt64BigEndian(block[10..]);
        int rate = (int)(packed >> 44);
        int channels = (int)(packed >> 41 & 7) + 1;
        int bits = (int)(packed >> 36 & 31) + 1;
        long total = (long)(packed & 0xF_FFFF_FFFF);
        if (rate == 0) throw Corrupt(path, "sample rate 0 Hz in STREAMINFO");
        if (bits < 4) throw Corrupt(path, $"{bits} bits per sample in STREAMINFO, at least 4 needed");
        if (total > Array.MaxLength)
            throw new ByolAException($"{path}: audio too long ({total} samples per channel; at most {Array.MaxLength} per file)");
        return new FlacStreamInfo(rate, channels, bits, total, block.Slice(18, 16).ToArray(), maxBlock);
    }

    /// <summary>The frame loop of one file: per-channel work buffers, the output arrays and the running MD5.</summary>
    sealed class FrameDecoder(byte[] data, string path, FlacStreamInfo info)
    {
        readonly FlacBitReader reader = new(data, 0, data.Length);
        readonly long[][] work = Enumerable.Range(0, info.Channels).Select(_ => Array.Empty<long>()).ToArray();
        readonly int[][] output = Enumerable.Range(0, info.Channels)
            .Select(_ => new int[info.TotalSamples > 0 ? Math.Min(info.TotalSamples, 1 << 22) : 1 << 16]).ToArray();
        readonly IncrementalHash? md5 = info.HasMd5 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        byte[] md5Bytes = [];
        long[] coefficients = new long[32];
        long done;

        public int[][] Run(int position)
        {
            try
            {
                while (position < data.Length)
                {
                    // Once the announced samples are in, what follows (an ID3v1 tag, padding) is not audio.
                    if (info.TotalSamples > 0 && done >= info.TotalSamples) break;
                    if (info.TotalSamples == 0 && data.Length - position == 128 && data.AsSpan(position, 3).SequenceEqual("TAG"u8)) break;
                    position = Frame(position);
                }
                if (info.TotalSamples > 0 && done < info.TotalSamples)
                    throw new ByolAException($"{path}: truncated (FLAC header announces {info.TotalSamples} samples, the file holds {done})");
                if (md5 != null)
                {
                    var actual = md5.GetHashAndReset();
                    if (!actual.AsSpan().SequenceEqual(info.Md5))
                        throw new ByolAException($"{path}: corrupt (MD5 of the decoded FLAC audio is {Convert.ToHexString(actual).ToLowerInvariant()}, " +
                                                 $"the header says {Convert.ToHexString(info.Md5).ToLowerInvariant()}); re-encode or replace the file");
                }
            }
            finally { md5?.Dispose(); }
            var result = new int[info.Channels][];
            for (int c = 0; c < info.Channels; c++)
                result[c] = output[c].Length == done ? output[c] : output[c].AsSpan(0, (int)done).ToArray();
            return result;
        }

        ByolAException Truncated(int position) =>
            new($"{path}: truncated (the FLAC frame at byte {position} runs past the end of the file, {data.Length} bytes; {done} samples decoded)");

        ByolAException Bad(int position, string why) => Corrupt(path, $"frame at byte {position}: {why}");

        /// <summary>Decodes the frame at <paramref name="position"/> and returns the position after it.</summary>
        int Frame(int position)
        {
            if (data.Length - position < 2 || data[position] != 0xFF || (data[position + 1] & 0xFE) != 0xF8)
                throw Corrupt(path, $"no frame sync at byte {position} after {done} samples");
            reader.Seek(position);
            reader.ReadBits(15);
            reader.ReadBits(1); // blocking strategy: fixed or variable, both read the same here
            int sizeCode = (int)reader.ReadBits(4);
            int rateCode = (int)reader.ReadBits(4);
            int channelCode = (int)reader.ReadBits(4);
            int depthCode = (int)reader.ReadBits(3);
            if (reader.ReadBits(1) != 0) throw Bad(position, "reserved header bit set");
            // The frame or sample number, coded like UTF-8; only its length matters here.
            uint first = reader.ReadBits(8);
            int extra = first < 0x80 ? 0 : first >= 0xFE ? 6 : System.Numerics.BitOperations.LeadingZeroCount(~(first << 24)) - 1;
            if (first is >= 0x80 and < 0xC0 || first == 0xFF) throw Bad(position, "invalid coded frame number");
            for (int i = 0; i < extra; i++)
                if ((reader.ReadBits(8) & 0xC0) != 0x80) throw Bad(position, "invalid coded frame number");
            int blockSize = sizeCode switch
            {
                0 => throw Bad(position, "reserved block size"),
                1 => 192,
                <= 5 => 576 << (sizeCode - 2),
                6 => (int)reader.ReadBits(8) + 1,
                7 => (int)reader.ReadBits(16) + 1,
                _ => 256 << (sizeCode - 8),
            };
            int rate = rateCode switch
            {
                0 => info.SampleRate,
                1 => 88200, 2 => 176400, 3 => 192000, 4 => 8000, 5 => 16000, 6 => 22050,
                7 => 24000, 8 => 32000, 9 => 44100, 10 => 48000, 11 => 96000,
                12 => (int)reader.ReadBits(8) * 1000,
                13 => (int)reader.ReadBits(16),
                14 => (int)reader.ReadBits(16) * 10,
                _ => throw Bad(position, "invalid sample rate code"),
            };
            int bits = depthCode switch
            {
                0 => info.BitsPerSample,
                1 => 8, 2 => 12, 4 => 16, 5 => 20, 6 => 24, 7 => 32,
                _ => throw Bad(position, "reserved bit depth"),
            };
            int channels = channelCode < 8 ? channelCode + 1 : channelCode <= 10 ? 2 : throw Bad(position, "reserved channel assignment");
            int headerEnd = reader.BytePosition;
            int crc8 = (int)reader.ReadBits(8);
            if (reader.Overrun) throw Truncated(position);
            if (Crc8(data.AsSpan(position, headerEnd - position)) != crc8) throw Bad(position, "header CRC-8 mismatch");
            if (rate != info.SampleRate || bits != info.BitsPerSample || channels != info.Channels)
                throw Bad(position, $"{rate} Hz, {bits}-bit, {channels} channel(s) where STREAMINFO says {info.SampleRate} Hz, {info.BitsPerSample}-bit, {info.Channels}");

            for (int c = 0; c < channels; c++)
            {
                if (work[c].Length < blockSize) work[c] = new long[blockSize];
                // The side channel carries one more bit: the second of left/side and mid/side, the first of side/right.
                bool side = channelCode == 8 && c == 1 || channelCode == 9 && c == 0 || channelCode == 10 && c == 1;
                Subframe(position, work[c], blockSize, bits + (side ? 1 : 0));
                if (reader.Overrun) throw Truncated(position);
            }
            reader.AlignToByte();
            int frameEnd = reader.BytePosition;
            int crc16 = (int)reader.ReadBits(16);
            if (reader.Overrun) throw Truncated(position);
            if (Crc16(data.AsSpan(position, frameEnd - position)) != crc16) throw Bad(position, "CRC-16 mismatch (damaged data)");
            Store(blockSize, channelCode, bits);
            return frameEnd + 2;
        }

        /// <summary>Undoes the stereo decorrelation, appends the block to the output and to the MD5.</summary>
        void Store(int blockSize, int channelCode, int bits)
        {
            if (done + blockSize > Array.MaxLength) throw new ByolAException($"{path}: audio too long (more than {Array.MaxLength} samples per channel)");
            int channels = info.Channels;
            if (done + blockSize > output[0].Length)
            {
                long grown = Math.Min(Array.MaxLength, Math.Max(done + blockSize, 2L * output[0].Length));
                for (int c = 0; c < channels; c++) Array.Resize(ref output[c], (int)grown);
            }
            int at = (int)done;
            if (channelCode >= 8)
            {
                var a = work[0].AsSpan(0, blockSize);
                var b = work[1].AsSpan(0, blockSize);
                var left = output[0].AsSpan(at, blockSize);
                var right = output[1].AsSpan(at, blockSize);
                // One loop per mode, so the per-sample work has no branch.
                if (channelCode == 8)                                  // left, side
                    for (int i = 0; i < a.Length; i++) { left[i] = (int)a[i]; right[i] = (int)(a[i] - b[i]); }
                else if (channelCode == 9)                             // side, right
                    for (int i = 0; i < a.Length; i++) { left[i] = (int)(a[i] + b[i]); right[i] = (int)b[i]; }
                else                                                   // mid, side
                    for (int i = 0; i < a.Length; i++)
                    {
                        long mid = a[i] << 1 | (b[i] & 1);
                        left[i] = (int)((mid + b[i]) >> 1);
                        right[i] = (int)((mid - b[i]) >> 1);
                    }
            }
            else
            {
                for (int c = 0; c < channels; c++)
                {
                    var source = work[c].AsSpan(0, blockSize);
                    var target = output[c].AsSpan(at, blockSize);
                    for (int i = 0; i < source.Length; i++) target[i] = (int)source[i];
                }
            }
            if (md5 != null) HashBlock(at, blockSize, bits);
            done += blockSize;
        }

        /// <summary>Samples interleaved, little-endian, in whole bytes (RFC 9639 §8.2), as the MD5 was computed.</summary>
        void HashBlock(int at, int blockSize, int bits)
        {
            int width = (bits + 7) / 8;
            int channels = info.Channels;
            int length = blockSize * channels * width;
            if (md5Bytes.Length < length) md5Bytes = new byte[length];
            var bytes = md5Bytes.AsSpan(0, length);
            if (width == 2 && BitConverter.IsLittleEndian)
            {
                // The common case (16-bit) written as shorts, channel by channel at stride C.
                var samples = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(bytes);
                for (int c = 0; c < channels; c++)
                {
                    var source = output[c].AsSpan(at, blockSize);
                    for (int i = 0, k = c; i < source.Length; i++, k += channels) samples[k] = (short)source[i];
                }
            }
            else
            {
                for (int c = 0; c < channels; c++)
                {
                    var source = output[c].AsSpan(at, blockSize);
                    for (int i = 0, k = c * width; i < source.Length; i++, k += channels * width)
                    {
                        int v = source[i];
                        for (int w = 0; w < width; w++, v >>= 8) bytes[k + w] = (byte)v;
                    }
                }
            }
            md5!.AppendData(bytes);
        }

        /// <summary>One subframe into <paramref name="samples"/>[0, blockSize), with <paramref name="bits"/> bits per sample.</summary>
        void Subframe(int position, long[] samples, int blockSize, int bits)
        {
            if (reader.ReadBits(1) != 0) throw Bad(position, "subframe padding bit set");
            int type = (int)reader.ReadBits(6);
            if (reader.ReadBits(1) == 1)
            {
                int wasted = (int)reader.ReadUnary() + 1;
                if (wasted >= bits) throw Bad(position, $"{wasted} wasted bits of {bits}");
                bits -= wasted;
                SubframeBody(position, samples, blockSize, bits, type);
                for (int i = 0; i < blockSize; i++) samples[i] <<= wasted;
            }
            else SubframeBody(position, samples, blockSize, bits, type);
        }

        void SubframeBody(int position, long[] samples, int blockSize, int bits, int type)
        {
            if (type == 0)
            {
                long value = reader.ReadSigned(bits);
                Array.Fill(samples, value, 0, blockSize);
            }
            else if (type == 1)
            {
                for (int i = 0; i < blockSize; i++) samples[i] = reader.ReadSigned(bits);
            }
            else if (type is >= 8 and <= 12)
            {
                int order = type - 8;
                if (order > blockSize) throw Bad(position, $"fixed predictor order {order} for a block of {blockSize}");
                for (int i = 0; i < order; i++) samples[i] = reader.ReadSigned(bits);
                Residual(position, samples, blockSize, order);
                Fixed(samples, blockSize, order);
            }
            else if (type >= 32)
            {
                int order = (type & 31) + 1;
                if (order > blockSize) throw Bad(position, $"LPC order {order} for a block of {blockSize}");
                for (int i = 0; i < order; i++) samples[i] = reader.ReadSigned(bits);
                int precision = (int)reader.ReadBits(4) + 1;
                if (precision == 16) throw Bad(position, "invalid LPC coefficient precision");
                int shift = (int)reader.ReadSigned(5);
                if (shift < 0) throw Bad(position, $"negative LPC shift {shift}");
                for (int j = 0; j < order; j++) coefficients[j] = reader.ReadSigned(precision);
                Residual(position, samples, blockSize, order);
                Lpc(samples, blockSize, order, shift);
            }
            else throw Bad(position, $"reserved subframe type {type}");
        }

        /// <summary>The coded residual (RFC 9639 §9.2.7) into samples[order, blockSize).</summary>
        void Residual(int position, long[] samples, int blockSize, int order)
        {
            int method = (int)reader.ReadBits(2);
            if (method > 1) throw Bad(position, "reserved residual coding method");
            int parameterBits = method == 0 ? 4 : 5;
            int escape = (1 << parameterBits) - 1;
            int partitionOrder = (int)reader.ReadBits(4);
            int partitions = 1 << partitionOrder;
            if (blockSize % partitions != 0 || (blockSize >> partitionOrder) < order)
                throw Bad(position, $"partition order {partitionOrder} does not fit a block of {blockSize} (predictor order {order})");
            int perPartition = blockSize >> partitionOrder;
            int i = order;
            for (int p = 0; p < partitions; p++)
            {
                int end = (p + 1) * perPartition;
                int parameter = (int)reader.ReadBits(parameterBits);
                if (parameter == escape)
                {
                    int raw = (int)reader.ReadBits(5);
                    for (; i < end; i++) samples[i] = reader.ReadSigned(raw);
                }
                else
                {
                    reader.ReadRice(samples.AsSpan(i, end - i), parameter);
                    i = end;
                }
                if (reader.Overrun) return;
            }
        }

        static void Fixed(long[] s, int n, int order)
        {
            switch (order)
            {
                case 1: for (int i = 1; i < n; i++) s[i] += s[i - 1]; break;
                case 2: for (int i = 2; i < n; i++) s[i] += 2 * s[i - 1] - s[i - 2]; break;
                case 3: for (int i = 3; i < n; i++) s[i] += 3 * s[i - 1] - 3 * s[i - 2] + s[i - 3]; break;
                case 4: for (int i = 4; i < n; i++) s[i] += 4 * s[i - 1] - 6 * s[i - 2] + 4 * s[i - 3] - s[i - 4]; break;
            }
        }

        void Lpc(long[] s, int n, int order, int shift)
        {
            // Coefficients reversed, so each prediction is a dot product with the `order` samples just before it.
            Span<long> reversed = stackalloc long[order];
            for (int j = 0; j < order; j++) reversed[j] = coefficients[order - 1 - j];
            var samples = s.AsSpan(0, n);
            for (int i = order; i < samples.Length; i++)
            {
                var window = samples.Slice(i - order, order);
                long sum = 0;
                int j = 0;
                for (; j + 4 <= order; j += 4)
                    sum += reversed[j] * window[j] + reversed[j + 1] * window[j + 1] + reversed[j + 2] * window[j + 2] + reversed[j + 3] * window[j + 3];
                for (; j < order; j++) sum += reversed[j] * window[j];
                samples[i] += sum >> shift;
            }
        }
    }

    /// <summary>CRC-8, polynomial x^8 + x^2 + x + 1, initial 0 (the frame header check).</summary>
    static int Crc8(ReadOnlySpan<byte> bytes)
    {
        int crc = 0;
        foreach (byte b in bytes) crc = Crc8Table[crc ^ b];
        return crc;
    }

    /// <summary>CRC-16, polynomial x^16 + x^15 + x^2 + 1, initial 0 (the whole-frame check).</summary>
    static int Crc16(ReadOnlySpan<byte> bytes)
    {
        int crc = 0;
        foreach (byte b in bytes) crc = (crc << 8 ^ Crc16Table[(crc >> 8) ^ b]) & 0xFFFF;
        return crc;
    }

    static readonly byte[] Crc8Table = Table(8, 0x07).Select(v => (byte)v).ToArray();
    static readonly ushort[] Crc16Table = Table(16, 0x8005).Select(v => (ushort)v).ToArray();

    static int[] Table(int width, int polynomial)
    {
        var table = new int[256];
        int top = 1 << (width - 1), mask = (1 << width) - 1;
        for (int i = 0; i < 256; i++)
        {
            int crc = i << (width - 8);
            for (int k = 0; k < 8; k++) crc = ((crc & top) != 0 ? crc << 1 ^ polynomial : crc << 1) & mask;
            table[i] = crc;
        }
        return table;
    }
}
