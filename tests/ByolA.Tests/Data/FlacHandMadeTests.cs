using System.Security.Cryptography;
using ByolA.Data;
using ByolA.Tests.Support;

namespace ByolA.Tests.Data;

/// <summary>
/// FLAC streams written bit by bit here, for what the flac tool never writes: variable-size blocks (the blocking
/// strategy bit and a sample number instead of a frame number), uncommon block-size and sample-rate codes, escaped
/// (raw) residual partitions and 5-bit rice parameters, an LPC subframe with a chosen shift, and every stereo mode in one
/// stream. The expected samples are the ones encoded; the MD5 is computed here from them.
/// </summary>
public class FlacHandMadeTests
{
    sealed class Bits
    {
        readonly List<byte> bytes = [];
        ulong pending;
        int count;

        public void Write(long value, int n)
        {
            for (int i = n - 1; i >= 0; i--)
            {
                pending = pending << 1 | (ulong)((value >> i) & 1);
                if (++count == 8) { bytes.Add((byte)pending); pending = 0; count = 0; }
            }
        }

        public void Unary(long q) { for (long i = 0; i < q; i++) Write(0, 1); Write(1, 1); }

        public void Align() { while (count != 0) Write(0, 1); }

        public List<byte> Bytes => bytes;
    }

    static int Crc8(IEnumerable<byte> data)
    {
        int crc = 0;
        foreach (var b in data) { crc ^= b; for (int k = 0; k < 8; k++) crc = (crc & 0x80) != 0 ? (crc << 1 ^ 0x07) & 0xFF : crc << 1 & 0xFF; }
        return crc;
    }

    static int Crc16(IEnumerable<byte> data)
    {
        int crc = 0;
        foreach (var b in data) { crc ^= b << 8; for (int k = 0; k < 8; k++) crc = (crc & 0x8000) != 0 ? (crc << 1 ^ 0x8005) & 0xFFFF : crc << 1 & 0xFFFF; }
        return crc;
    }

    /// <summary>A coded number as FLAC writes it (UTF-8's scheme, up to 36 bits).</summary>
    static void Coded(Bits w, long v)
    {
        if (v < 0x80) { w.Write(v, 8); return; }
        int extra = v < 0x800 ? 1 : v < 0x10000 ? 2 : v < 0x200000 ? 3 : v < 0x4000000 ? 4 : 5;
        w.Write((0xFF00L >> (extra + 1) & 0xFF) | (v >> (6 * extra)), 8);
        for (int i = extra - 1; i >= 0; i--) w.Write(0x80 | (v >> (6 * i) & 0x3F), 8);
    }

    static void Residual(Bits w, long[] residual, int partitionOrder, bool fiveBit, Func<int, int?> escapeBits, Func<int, int> parameter, int order)
    {
        w.Write(fiveBit ? 1 : 0, 2);
        w.Write(partitionOrder, 4);
        int per = residual.Length / (1 << partitionOrder);
        for (int p = 0, i = order; p < 1 << partitionOrder; p++)
        {
            int end = (p + 1) * per;
            if (escapeBits(p) is { } raw)
            {
                w.Write(fiveBit ? 31 : 15, fiveBit ? 5 : 4);
                w.Write(raw, 5);
                for (; i < end; i++) w.Write(residual[i], raw);
            }
            else
            {
                int k = parameter(p);
                w.Write(k, fiveBit ? 5 : 4);
                for (; i < end; i++)
                {
                    long u = residual[i] >= 0 ? 2 * residual[i] : -2 * residual[i] - 1;
                    w.Unary(u >> k);
                    w.Write(u & ((1L << k) - 1), k);
                }
            }
        }
    }

    [Fact]
    public void Variable_blocks_uncommon_codes_escapes_and_every_stereo_mode_decode_exactly()
    {
        const int bits = 16, rate = 16000;
        var rng = new Random(11);
        int[] sizes = [100, 300, 57, 64];
        int total = sizes.Sum();
        var left = new int[total];
        var right = new int[total];
        for (int i = 0; i < total; i++)
        {
            left[i] = (int)(8000 * Math.Sin(i * 0.05)) + rng.Next(-40, 40);
            right[i] = (int)(6000 * Math.Sin(i * 0.031 + 1)) + rng.Next(-40, 40);
        }

        var w = new Bits();
        "fLaC"u8.ToArray().ToList().ForEach(b => w.Write(b, 8));
        w.Write(0x80, 8); w.Write(34, 24);                     // last metadata block: STREAMINFO, 34 bytes
        w.Write(16, 16); w.Write(300, 16); w.Write(0, 24); w.Write(0, 24);
        w.Write(rate, 20); w.Write(2 - 1, 3); w.Write(bits - 1, 5); w.Write(total, 36);
        var pcm = new byte[total * 4];
        for (int i = 0; i < total; i++)
        {
            BitConverter.GetBytes((short)left[i]).CopyTo(pcm, 4 * i);
            BitConverter.GetBytes((short)right[i]).CopyTo(pcm, 4 * i + 2);
        }
        foreach (var b in MD5.HashData(pcm)) w.Write(b, 8);

        int at = 0;
        for (int f = 0; f < sizes.Length; f++)
        {
            int n = sizes[f];
            int start = w.Bytes.Count;
            w.Write(0b11111111111110, 14); w.Write(0, 1); w.Write(1, 1);           // sync, reserved, variable blocks
            int sizeCode = n <= 256 ? 6 : 7;
            int rateCode = f switch { 0 => 13, 1 => 12, 2 => 14, _ => 5 };        // Hz, kHz, tens of Hz, the 16 kHz code
            int channelCode = f switch { 0 => 1, 1 => 9, 2 => 10, _ => 8 };       // independent, side/right, mid/side, left/side
            w.Write(sizeCode, 4); w.Write(rateCode, 4); w.Write(channelCode, 4); w.Write(4, 3); w.Write(0, 1);
            Coded(w, at);                                                          // the first sample's number
            if (sizeCode == 6) w.Write(n - 1, 8); else w.Write(n - 1, 16);
            if (rateCode == 13) w.Write(rate, 16); else if (rateCode == 12) w.Write(rate / 1000, 8); else if (rateCode == 14) w.Write(rate / 10, 16);
            w.Write(Crc8(w.Bytes.Skip(start)), 8);

            long[] l = left.AsSpan(at, n).ToArray().Select(v => (long)v).ToArray(), r = right.AsSpan(at, n).ToArray().Select(v => (long)v).ToArray();
            long[] side = l.Zip(r, (a, b) => a - b).ToArray();
            long[] mid = l.Zip(r, (a, b) => (a + b) >> 1).ToArray();
            (long[] Samples, int Bits)[] channels = channelCode switch
            {
                1 => [(l, bits), (r, bits)],
                9 => [(side, bits + 1), (r, bits)],
                10 => [(mid, bits), (side, bits + 1)],
                _ => [(l, bits), (side, bits + 1)],
            };
            for (int c = 0; c < 2; c++)
            {
                var (s, b) = channels[c];
                w.Write(0, 1);
                switch ((f + c) % 3)
                {
                    case 0:                                                         // verbatim
                        w.Write(1, 6); w.Write(0, 1);
                        foreach (var v in s) w.Write(v, b);
                        break;
                    case 1:                                                         // fixed order 2, 5-bit parameters, first partition escaped
                    {
                        w.Write(8 + 2, 6); w.Write(0, 1);
                        w.Write(s[0], b); w.Write(s[1], b);
                        var residual = new long[n];
                        for (int i = 2; i < n; i++) residual[i] = s[i] - (2 * s[i - 1] - s[i - 2]);
                        int order = n % 2 == 0 ? 1 : 0;
                        Residual(w, residual, order, fiveBit: true, p => p == 0 ? 12 : null, _ => 6, 2);
                        break;
                    }
                    default:                                                        // LPC order 3, precision 12, shift 10
                    {
                        w.Write(32 + 3 - 1, 6); w.Write(0, 1);
                        for (int i = 0; i < 3; i++) w.Write(s[i], b);
                        long[] coefficients = [1600, -700, 110];
                        w.Write(12 - 1, 4); w.Write(10, 5);
                        foreach (var q in coefficients) w.Write(q, 12);
                        var residual = new long[n];
                        for (int i = 3; i < n; i++)
                            residual[i] = s[i] - ((coefficients[0] * s[i - 1] + coefficients[1] * s[i - 2] + coefficients[2] * s[i - 3]) >> 10);
                        Residual(w, residual, 0, fiveBit: false, _ => null, _ => 9, 3);
                        break;
                    }
                }
            }
            w.Align();
            w.Write(Crc16(w.Bytes.Skip(start)), 16);
            at += n;
        }

        using var dir = new TempDir();
        var path = dir.File("hand.flac");
        File.WriteAllBytes(path, w.Bytes.ToArray());
        var decoded = FlacFile.ReadIntegers(path, out var info);
        Assert.Equal((rate, 2, bits, (long)total), (info.SampleRate, info.Channels, info.BitsPerSample, info.TotalSamples));
        Assert.Equal(left, decoded[0]);
        Assert.Equal(right, decoded[1]);
    }
}
