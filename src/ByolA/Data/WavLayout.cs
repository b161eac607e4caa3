namespace ByolA.Data;

/// <summary>
/// Where the samples of a WAV file are and how they are encoded, as <see cref="RiffWalker"/> found them. Only
/// layouts the decoder supports are returned: PCM 8/16/24/32-bit or IEEE float 32/64-bit, plain or extensible.
/// </summary>
/// <param name="IsFloat">IEEE float samples (else integer PCM).</param>
/// <param name="Channels">Interleaved channels (C ≥ 1).</param>
/// <param name="SampleRate">Frames per second.</param>
/// <param name="BitsPerSample">8, 16, 24, 32 (PCM) or 32, 64 (float).</param>
/// <param name="DataOffset">Byte offset of the first sample in the file.</param>
/// <param name="DataBytes">Bytes of whole frames to read from <paramref name="DataOffset"/>.</param>
/// <param name="SizesAgree">Whether the RIFF and data sizes in the header match the file exactly.</param>
/// <param name="Note">
/// Set when the header's data size was a placeholder (0 or 0xFFFFFFFF, as tools writing to a pipe leave it) or larger
/// than the file, and the data were read to the end of the file instead: one line for a warning.
/// </param>
internal sealed record WavLayout(bool IsFloat, int Channels, int SampleRate, int BitsPerSample, long DataOffset, long DataBytes,
    bool SizesAgree, string? Note)
{
    /// <summary>Bytes per frame (all channels of one sample time).</summary>
    public int BlockAlign => Channels * BitsPerSample / 8;

    /// <summary>Samples per channel (N).</summary>
    public long Frames => DataBytes / BlockAlign;

    /// <summary>Whether <see cref="WavFile"/> decodes this layout straight into a channel mean (16-bit PCM or 32-bit float).</summary>
    internal bool HasFastPath => IsFloat ? BitsPerSample == 32 : BitsPerSample == 16;
}
