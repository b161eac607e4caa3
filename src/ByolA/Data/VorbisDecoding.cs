using NVorbis;

namespace ByolA.Data;

/// <summary>
/// Vorbis in Ogg through NVorbis (managed, MIT). The pages are checked first (<see cref="OggStream"/>): NVorbis passes
/// over a damaged or missing page without a word, which would hand training silently shortened audio.
/// </summary>
internal static class VorbisDecoding
{
    public static AudioData Decode(byte[] data, string path)
    {
        OggStream.Read(data, path);
        try
        {
            using var reader = new VorbisReader(new MemoryStream(data, writable: false), closeOnDispose: true);
            int channels = reader.Channels, rate = reader.SampleRate;
            if (channels <= 0 || rate <= 0) throw new ByolAException($"{path}: not a readable Ogg Vorbis file ({channels} channels at {rate} Hz)");
            var interleaved = ReadAll((buffer, offset, count) => reader.ReadSamples(buffer, offset, count), channels);
            return Deinterleave(interleaved.Samples, interleaved.Count, channels, rate);
        }
        catch (Exception e) when (e is not (ByolAException or OutOfMemoryException))
        {
            throw new ByolAException($"{path}: not a readable Ogg Vorbis file ({e.Message.TrimEnd('.')})", e);
        }
    }

    /// <summary>Calls <paramref name="read"/> (interleaved floats, returns how many, 0 at the end) until the end.</summary>
    internal static (float[] Samples, int Count) ReadAll(Func<float[], int, int, int> read, int channels)
    {
        var buffer = new float[1 << 16];
        int count = 0;
        while (true)
        {
            if (buffer.Length - count < 4096 * channels)
                Array.Resize(ref buffer, (int)Math.Min(Array.MaxLength, 2L * buffer.Length));
            int want = (buffer.Length - count) / channels * channels;
            int got = read(buffer, count, want);
            if (got <= 0) break;
            count += got;
        }
        return (buffer, count - count % channels);
    }

    /// <summary>(frames · channels) interleaved samples → one array per channel.</summary>
    internal static AudioData Deinterleave(float[] interleaved, int count, int channels, int rate)
    {
        int frames = count / channels;
        var result = new float[channels][];
        for (int c = 0; c < channels; c++)
        {
            var channel = result[c] = new float[frames];
            for (int i = 0, k = c; i < frames; i++, k += channels) channel[i] = interleaved[k];
        }
        return new AudioData(result, rate);
    }
}
