namespace ByolA.Data;

/// <summary>
/// What <see cref="ClipSource"/> reads: mono WAVs at <see cref="SampleRate"/>, and compressed audio (FLAC, MP3, Ogg
/// Vorbis, Opus, anything ffmpeg reads) made mono at that rate by <see cref="Convert"/>, fitted to <see cref="UnitSamples"/>.
/// </summary>
internal sealed record ClipSourceOptions
{
    /// <summary>The only sample rate accepted (files at another rate, or not mono, are unreadable: run convert-wav).</summary>
    public required int SampleRate { get; init; }

    /// <summary>Samples per clip: shorter files are zero-padded on both ends, longer ones cropped.</summary>
    public required int UnitSamples { get; init; }

    /// <summary>Centre crop, or a random one from (<see cref="Seed"/>, epoch, file index).</summary>
    public ClipCrop Crop { get; init; } = ClipCrop.Centre;

    /// <summary>Seed of the random crop.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Files decoded at once.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Batches held ready ahead of the consumer (bounds memory).</summary>
    public int PrefetchBatches { get; init; } = 2;

    /// <summary>Leave unreadable files out of their batch (listed in it) instead of stopping with the first one's error.</summary>
    public bool SkipUnreadable { get; init; }

    /// <summary>
    /// Makes decoded compressed audio that is not mono at <see cref="SampleRate"/> so (the library passes Audio's
    /// <c>AudioConversion.ToMono</c>, convert-wav's conversion); null refuses such files with the convert-wav hint.
    /// </summary>
    public Func<AudioData, int, float[]>? Convert { get; init; }

    /// <summary>
    /// Bytes of decoded compressed audio kept for later epochs (0: decode every time). Training reads every file each
    /// epoch, so a cache saves all decoding after the first; embedding reads each file once and needs none.
    /// </summary>
    public long DecodedCacheBytes { get; init; }

    /// <summary>Throws <see cref="ByolAException"/> naming the first value that cannot work.</summary>
    public ClipSourceOptions Validate()
    {
        if (SampleRate <= 0) throw new ByolAException($"sample_rate must be positive (got {SampleRate})");
        if (UnitSamples <= 0) throw new ByolAException($"unit_sec gives no samples at {SampleRate} Hz");
        if (Workers <= 0) throw new ByolAException($"workers must be positive (got {Workers})");
        if (DecodedCacheBytes < 0) throw new ByolAException($"decoded cache must not be negative (got {DecodedCacheBytes} bytes)");
        if (PrefetchBatches <= 0) throw new ByolAException($"prefetch must be positive (got {PrefetchBatches})");
        return this;
    }
}
