namespace ByolA.Runtime;

/// <summary>
/// xoshiro256** seeded through SplitMix64. Unlike <see cref="System.Random"/> its whole state can be read and
/// restored (<see cref="State"/>), which is what lets a resumed training run repeat the uninterrupted one.
/// </summary>
internal sealed class SeededRandom : IRandomSource
{
    ulong _s0, _s1, _s2, _s3;

    public SeededRandom(long seed)
    {
        ulong x = unchecked((ulong)seed);
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    /// <summary>The generator state (four 64-bit words, as signed longs for storage in tensors).</summary>
    public long[] State
    {
        get => [unchecked((long)_s0), unchecked((long)_s1), unchecked((long)_s2), unchecked((long)_s3)];
        set
        {
            if (value is not { Length: 4 } || value.All(v => v == 0))
                throw new ArgumentException("a SeededRandom state is four 64-bit words, not all zero");
            (_s0, _s1, _s2, _s3) = (unchecked((ulong)value[0]), unchecked((ulong)value[1]), unchecked((ulong)value[2]), unchecked((ulong)value[3]));
        }
    }

    /// <summary>A new independent generator derived from this seed and a stream number (e.g. epoch, file index).</summary>
    public static SeededRandom Derive(long seed, params long[] stream)
    {
        ulong x = unchecked((ulong)seed);
        foreach (var s in stream) { x ^= unchecked((ulong)s) + 0x9E3779B97F4A7C15UL + (x << 6) + (x >> 2); SplitMix(ref x); }
        return new SeededRandom(unchecked((long)x));
    }

    public ulong NextULong()
    {
        ulong result = RotL(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotL(_s3, 45);
        return result;
    }

    public double Uniform() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public int RandInt(int low, int high)
    {
        if (high < low) throw new ArgumentOutOfRangeException(nameof(high), $"RandInt({low}, {high}): empty range");
        ulong range = (ulong)((long)high - low) + 1;
        // Rejection sampling keeps every value equally likely.
        ulong limit = ulong.MaxValue - ulong.MaxValue % range;
        ulong r;
        do { r = NextULong(); } while (r >= limit);
        return (int)(low + (long)(r % range));
    }

    /// <summary>A uniformly random permutation of 0..n-1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = RandInt(0, i);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
