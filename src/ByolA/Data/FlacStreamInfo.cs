namespace ByolA.Data;

/// <summary>The STREAMINFO block of a FLAC file (RFC 9639 §8.2): what the whole stream holds.</summary>
/// <param name="SampleRate">Samples per second.</param>
/// <param name="Channels">1 to 8.</param>
/// <param name="BitsPerSample">4 to 32.</param>
/// <param name="TotalSamples">Samples per channel; 0 when the encoder did not know.</param>
/// <param name="Md5">MD5 of the decoded samples (interleaved, little-endian, whole bytes per sample); all zero when absent.</param>
/// <param name="MaxBlockSize">Largest block in samples, as the header states it.</param>
internal sealed record FlacStreamInfo(int SampleRate, int Channels, int BitsPerSample, long TotalSamples, byte[] Md5, int MaxBlockSize)
{
    /// <summary>Whether the encoder stored an MD5 signature (all zeros means it did not).</summary>
    public bool HasMd5 => Md5.Any(b => b != 0);
}
