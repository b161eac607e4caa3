using System.Buffers.Binary;
using Concentus;

namespace ByolA.Data;

/// <summary>
/// Opus in Ogg (RFC 7845) through Concentus, a managed port of libopus: the OpusHead header (channels, pre-skip, output
/// gain, channel mapping families 0 and 1), every audio packet decoded at 48 kHz, the pre-skip dropped and the end
/// trimmed to the last page's granule position, as opusdec does.
/// </summary>
internal static class OpusDecoding
{
    /// <summary>Opus always decodes at 48 kHz; the input rate in the header is only informational.</summary>
    public const int Rate = 48000;

    /// <summary>The longest Opus packet: 120 ms at 48 kHz.</summary>
    const int MaxFrame = 5760;

    static OpusDecoding()
    {
        // The managed decoder on every machine: a native libopus found on one machine would make its samples differ.
        OpusCodecFactory.AttemptToUseNativeLibrary = false;
    }

    public static AudioData Decode(byte[] data, string path)
    {
        var ogg = OggStream.Read(data, path);
        if (ogg.Packets.Count < 2 || !ogg.Packets[0].Packet.AsSpan().StartsWith("OpusHead"u8) || ogg.Packets[0].Packet.Length < 19)
            throw new ByolAException($"{path}: not a readable Opus file (no valid OpusHead and OpusTags headers)");
        var head = ogg.Packets[0].Packet;
        if (head[8] >> 4 != 0) throw new ByolAException($"{path}: unsupported Opus header version {head[8]}");
        int channels = head[9];
        int preSkip = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(10));
        int gain = BinaryPrimitives.ReadInt16LittleEndian(head.AsSpan(16));
        int family = head[18];
        if (channels == 0) throw new ByolAException($"{path}: not a readable Opus file (0 channels)");
        float[] interleaved;
        int frames;
        try
        {
            (interleaved, frames) = family == 0 ? DecodeSingle(ogg, path, channels) : DecodeMulti(ogg, head, path, channels, family);
        }
        catch (Exception e) when (e is not (ByolAException or OutOfMemoryException))
        {
            throw new ByolAException($"{path}: not a readable Opus file (damaged audio packet: {e.Message.TrimEnd('.')})", e);
        }
        // The last granule counts the pre-skip too; a final page may end the audio inside its last packet.
        long end = ogg.LastGranule >= preSkip ? Math.Min(frames, ogg.LastGranule) : frames;
        int length = (int)Math.Max(0, end - preSkip);
        float factor = gain == 0 ? 1f : (float)Math.Pow(10, gain / (20.0 * 256));
        var result = new float[channels][];
        for (int c = 0; c < channels; c++)
        {
            var channel = result[c] = new float[length];
            for (int i = 0; i < length; i++) channel[i] = interleaved[(preSkip + i) * channels + c] * factor;
        }
        return new AudioData(result, Rate);
    }

    static (float[], int) DecodeSingle(OggStream ogg, string path, int channels)
    {
        if (channels > 2) throw new ByolAException($"{path}: not a readable Opus file ({channels} channels with mapping family 0)");
        var decoder = OpusCodecFactory.CreateDecoder(Rate, channels);
        return Run(ogg, channels, (packet, output) => decoder.Decode(packet, output, MaxFrame, false));
    }

    static (float[], int) DecodeMulti(OggStream ogg, byte[] head, string path, int channels, int family)
    {
        if (family != 1 || head.Length < 21 + channels)
            throw new ByolAException($"{path}: unsupported Opus channel mapping family {family} ({channels} channels)");
        int streams = head[19], coupled = head[20];
        var mapping = head.AsSpan(21, channels).ToArray();
        var decoder = OpusCodecFactory.CreateMultiStreamDecoder(Rate, channels, streams, coupled, mapping);
        return Run(ogg, channels, (packet, output) => decoder.DecodeMultistream(packet, output, MaxFrame, false));
    }

    delegate int PacketDecoder(ReadOnlySpan<byte> packet, Span<float> output);

    static (float[], int) Run(OggStream ogg, int channels, PacketDecoder decode)
    {
        var output = new float[Math.Max(MaxFrame, 1 << 16) * channels];
        int frames = 0;
        // Packets 0 and 1 are the OpusHead and OpusTags headers.
        for (int p = 2; p < ogg.Packets.Count; p++)
        {
            if ((frames + MaxFrame) * channels > output.Length)
                Array.Resize(ref output, (int)Math.Min(Array.MaxLength, 2L * output.Length + MaxFrame * channels));
            var packet = ogg.Packets[p].Packet;
            if (packet.Length == 0) continue;
            frames += decode(packet, output.AsSpan(frames * channels, MaxFrame * channels));
        }
        return (output, frames);
    }
}
