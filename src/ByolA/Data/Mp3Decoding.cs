using NLayer;

namespace ByolA.Data;

/// <summary>
/// MPEG audio layers I–III (MP3) through NLayer (managed, MIT), ID3 tags passed over. NLayer returns every decoded
/// frame; the encoder's delay and padding that a LAME/Xing "Info" tag records are cut here, together with the layer III
/// decoder's own delay of 529 samples, as mpg123 and ffmpeg do (gapless decoding), so a clip starts where the
/// original did rather than a frame or two of silence later.
/// </summary>
internal static class Mp3Decoding
{
    /// <summary>The layer III synthesis filterbank's delay in samples, which gapless decoders add to the encoder's.</summary>
    const int DecoderDelay = 529;

    public static AudioData Decode(byte[] data, string path)
    {
        AudioData audio;
        try
        {
            using var file = new MpegFile(new MemoryStream(data, writable: false));
            int channels = file.Channels, rate = file.SampleRate;
            if (channels <= 0 || rate <= 0) throw new ByolAException($"{path}: not a readable MP3 file (no MPEG audio frame found)");
            var (samples, count) = VorbisDecoding.ReadAll((buffer, offset, n) => file.ReadSamples(buffer, offset, n), channels);
            audio = VorbisDecoding.Deinterleave(samples, count, channels, rate);
        }
        catch (Exception e) when (e is not (ByolAException or OutOfMemoryException))
        {
            throw new ByolAException($"{path}: not a readable MP3 file ({e.Message.TrimEnd('.')})", e);
        }
        if (XingFrames(data) is { } announced && audio.Frames < announced.Frames * (long)announced.SamplesPerFrame - 2 * announced.SamplesPerFrame)
            throw new ByolAException($"{path}: truncated (its Xing/Info tag announces {announced.Frames} MPEG frames, the file holds about {audio.Frames / announced.SamplesPerFrame})");
        if (GaplessInfo(data) is not { } gapless) return audio;
        var (delay, padding) = gapless;
        int skip = delay + DecoderDelay;
        int length = audio.Frames - delay - padding;
        if (length <= 0 || skip + length > audio.Frames) return audio;
        return new AudioData(audio.Channels.Select(c => c.AsSpan(skip, length).ToArray()).ToArray(), audio.SampleRate);
    }

    /// <summary>The frame count of a Xing/Info tag (when it has one) and the samples per frame, or null.</summary>
    static (int Frames, int SamplesPerFrame)? XingFrames(byte[] data)
    {
        if (XingTag(data) is not { } found) return null;
        var (tag, mpeg1) = found;
        if ((data[tag + 7] & 1) == 0 || data.Length - tag < 12) return null;
        int frames = data[tag + 8] << 24 | data[tag + 9] << 16 | data[tag + 10] << 8 | data[tag + 11];
        return frames > 0 ? (frames, mpeg1 ? 1152 : 576) : null;
    }

    /// <summary>Where the Xing/Info tag of the first (layer III) frame starts, and whether it is MPEG-1; null without one.</summary>
    static (int Tag, bool Mpeg1)? XingTag(byte[] data)
    {
        int frame = AudioFormats.AudioStart(data);
        if (data.Length - frame < 4 || data[frame] != 0xFF || (data[frame + 1] & 0xE0) != 0xE0) return null;
        bool mpeg1 = (data[frame + 1] >> 3 & 3) == 3;
        bool layer3 = (data[frame + 1] >> 1 & 3) == 1;
        bool crc = (data[frame + 1] & 1) == 0;
        bool mono = data[frame + 3] >> 6 == 3;
        if (!layer3) return null;
        int sideInfo = mpeg1 ? (mono ? 17 : 32) : (mono ? 9 : 17);
        int tag = frame + 4 + (crc ? 2 : 0) + sideInfo;
        if (data.Length - tag < 8) return null;
        var id = data.AsSpan(tag, 4);
        return id.SequenceEqual("Xing"u8) || id.SequenceEqual("Info"u8) ? (tag, mpeg1) : null;
    }

    /// <summary>Encoder delay and padding from the LAME extension of a Xing/Info tag in the first frame, or null.</summary>
    internal static (int Delay, int Padding)? GaplessInfo(byte[] data)
    {
        if (XingTag(data) is not { } found) return null;
        int tag = found.Tag;
        int flags = data[tag + 7];
        int lame = tag + 8 + ((flags & 1) != 0 ? 4 : 0) + ((flags & 2) != 0 ? 4 : 0) + ((flags & 4) != 0 ? 100 : 0) + ((flags & 8) != 0 ? 4 : 0);
        // The LAME extension: a 9-byte encoder name, then 12 bytes of settings, then delay and padding in 12 bits each.
        if (data.Length - lame < 24) return null;
        int at = lame + 21;
        int delay = data[at] << 4 | data[at + 1] >> 4;
        int padding = (data[at + 1] & 0x0F) << 8 | data[at + 2];
        return (delay, padding);
    }
}
