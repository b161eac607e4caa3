using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace ByolA.Data;

/// <summary>
/// Big-endian bit reader over a FLAC file held in memory, for <see cref="FlacFile"/>. Reading past the end is not an
/// exception path of its own: it sets <see cref="Overrun"/> and returns zero bits, and the decoder turns that into one
/// "truncated" message at the next frame boundary, so a cut file never loops or faults.
/// </summary>
internal sealed class FlacBitReader(byte[] data, int start, int end)
{
    /// <summary>Byte position of the next unread byte in the data after the cached bits.</summary>
    int next = start;

    /// <summary>Up to 64 not yet consumed bits, left-aligned (the next bit is bit 63).</summary>
    ulong cache;

    /// <summary>Valid bits in <see cref="cache"/>.</summary>
    int bits;

    /// <summary>Whether a read went past the end of the data (those bits read as zeros).</summary>
    public bool Overrun => (long)next * 8 - bits > (long)end * 8;

    /// <summary>Byte position of the next bit, when it starts a byte (after <see cref="AlignToByte"/> or whole bytes).</summary>
    public int BytePosition => next - bits / 8;

    /// <summary>Moves to the byte at <paramref name="position"/>, dropping the cache.</summary>
    public void Seek(int position)
    {
        next = position;
        cache = 0;
        bits = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void Refill()
    {
        if (next + 8 <= end)
        {
            // Whole bytes that fit below the cached bits, read as one big-endian word; the bits below them stay zero.
            ulong word = BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(next, 8));
            int take = (64 - bits) >> 3;
            int used = bits + 8 * take;
            ulong mask = used == 64 ? ulong.MaxValue : ~(ulong.MaxValue >> used);
            cache |= (bits == 0 ? word : word >> bits) & mask;
            next += take;
            bits = used;
            return;
        }
        while (bits <= 56)
        {
            ulong b;
            if (next < end) b = data[next++];
            else
            {
                // Past the end: zero bits; once one of them is consumed, Overrun says so.
                b = 0;
                next++;
            }
            cache |= b << (56 - bits);
            bits += 8;
        }
    }

    /// <summary>The next <paramref name="n"/> bits (0..32) as an unsigned number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadBits(int n)
    {
        if (n == 0) return 0;
        if (bits < n) Refill();
        uint value = (uint)(cache >> (64 - n));
        cache <<= n;
        bits -= n;
        return value;
    }

    /// <summary>The next <paramref name="n"/> bits (0..33) as a two's-complement signed number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ReadSigned(int n)
    {
        if (n == 0) return 0;
        if (n <= 32)
        {
            uint u = ReadBits(n);
            return (long)((ulong)u << (64 - n)) >> (64 - n);
        }
        ulong high = ReadBits(n - 32);
        ulong value = high << 32 | ReadBits(32);
        return (long)(value << (64 - n)) >> (64 - n);
    }

    /// <summary>Number of 0 bits before the next 1 bit, which is consumed too (a unary code).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadUnary()
    {
        uint count = 0;
        while (true)
        {
            // Bits below the valid ones are always zero, so a nonzero cache holds the 1 bit among its valid bits.
            if (cache != 0)
            {
                int zeros = BitOperations.LeadingZeroCount(cache);
                count += (uint)zeros;
                cache = zeros == 63 ? 0 : cache << (zeros + 1);
                bits -= zeros + 1;
                return count;
            }
            count += (uint)bits;
            bits = 0;
            // A run of zeros that reaches past the end would never find its 1 bit: stop at the overrun.
            if (Overrun) return count;
            Refill();
        }
    }

    /// <summary>
    /// Rice-coded residuals with parameter <paramref name="k"/> into <paramref name="output"/>: per value a unary
    /// quotient, <paramref name="k"/> low bits, then zigzag to signed. The same as <see cref="ReadUnary"/> then
    /// <see cref="ReadBits"/> per value, with the cache kept in locals (the hot loop of FLAC decoding). Stops early
    /// at an overrun, which the caller sees in <see cref="Overrun"/>.
    /// </summary>
    public void ReadRice(Span<long> output, int k)
    {
        ulong c = cache;
        int n = bits;
        for (int i = 0; i < output.Length; i++)
        {
            ulong q = 0;
            while (c == 0)
            {
                // Only zeros cached (bits below the valid ones are always zero): count them and fetch more.
                q += (ulong)n;
                cache = 0;
                bits = 0;
                if (Overrun) return;
                Refill();
                c = cache;
                n = bits;
                if (c == 0 && Overrun) { bits = 0; return; }
            }
            int zeros = BitOperations.LeadingZeroCount(c);
            q += (ulong)zeros;
            c = zeros == 63 ? 0 : c << (zeros + 1);
            n -= zeros + 1;
            ulong u = q;
            if (k > 0)
            {
                if (n < k)
                {
                    cache = c;
                    bits = n;
                    Refill();
                    c = cache;
                    n = bits;
                }
                u = q << k | c >> (64 - k);
                c <<= k;
                n -= k;
            }
            output[i] = (long)(u >> 1) ^ -(long)(u & 1);
        }
        cache = c;
        bits = n;
    }

    /// <summary>Skips to the next byte boundary.</summary>
    public void AlignToByte() => ReadBits(bits % 8);
}
