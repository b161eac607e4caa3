using NLayer;

namespace ByolA.Data;

/// <summary>MPEG audio layers I–III (MP3) through NLayer (managed, MIT), ID3 tags passed over.</summary>
internal static class Mp3Decoding
{
    public static AudioData Decode(byte[] data, string path)
    {
        try
        {
            using var file = new MpegFile(new MemoryStream(data, writable: false));
            int channels = file.Channels, rate = file.SampleRate;
            if (channels <= 0 || rate <= 0) throw new ByolAException($"{path}: not a readable MP3 file (no MPEG audio frame found)");
            var (samples, count) = VorbisDecoding.ReadAll((buffer, offset, n) => file.ReadSamples(buffer, offset, n), channels);
            return VorbisDecoding.Deinterleave(samples, count, channels, rate);
        }
        catch (Exception e) when (e is not (ByolAException or OutOfMemoryException))
        {
            throw new ByolAException($"{path}: not a readable MP3 file ({e.Message.TrimEnd('.')})", e);
        }
    }
}
