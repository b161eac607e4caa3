using System.Buffers;
using System.Buffers.Binary;

namespace ByolA.Data;

/// <summary>
/// The packets of the first logical stream of an Ogg file (RFC 3533), every page's CRC-32 checked, for the Opus decoder
/// and as a check before NVorbis reads Vorbis (which skips damaged pages without a word). A page cut short, a CRC
/// mismatch or a stream that ends without its end-of-stream page is a <see cref="ByolAException"/> naming the file.
/// </summary>
internal sealed class OggStream
{
    /// <summary>The stream's packets in order, with the granule position of the page each one ends on (-1 if none ends there).</summary>
    public List<(byte[] Packet, long Granule)> Packets { get; } = [];

    /// <summary>The granule position of the last page: for Opus, the end of the audio at 48 kHz plus the pre-skip.</summary>
    public long LastGranule { get; private set; } = -1;

    /// <summary>Reads the first logical stream of <paramref name="data"/>; pages of other streams (multiplexed video) are passed over.</summary>
    public static OggStream Read(byte[] data, string path)
    {
        var stream = new OggStream();
        int position = 0;
        uint? serial = null;
        var pending = new ArrayBufferWriter<byte>();
        bool ended = false;
        while (position < data.Length && !ended)
        {
            if (data.Length - position < 27)
                throw new ByolAException($"{path}: truncated (an Ogg page header is cut off at byte {position})");
            var header = data.AsSpan(position, 27);
            if (!header.StartsWith("OggS"u8))
                throw new ByolAException($"{path}: not a readable Ogg file (no page at byte {position})");
            if (header[4] != 0) throw new ByolAException($"{path}: not a readable Ogg file (page version {header[4]} at byte {position})");
            int flags = header[5];
            long granule = BinaryPrimitives.ReadInt64LittleEndian(header[6..]);
            uint pageSerial = BinaryPrimitives.ReadUInt32LittleEndian(header[14..]);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(header[22..]);
            int segments = header[26];
            if (data.Length - position < 27 + segments)
                throw new ByolAException($"{path}: truncated (an Ogg page's segment table is cut off at byte {position})");
            var lacing = data.AsSpan(position + 27, segments);
            int bodyLength = 0;
            foreach (var l in lacing) bodyLength += l;
            int pageLength = 27 + segments + bodyLength;
            if (data.Length - position < pageLength)
                throw new ByolAException($"{path}: truncated (the Ogg page at byte {position} needs {pageLength} bytes, {data.Length - position} remain)");
            if (Crc(data.AsSpan(position, pageLength)) != crc)
                throw new ByolAException($"{path}: not a readable Ogg file (CRC mismatch in the page at byte {position}: damaged data)");
            serial ??= pageSerial;
            if (pageSerial == serial)
            {
                int at = position + 27 + segments;
                bool endedHere = false;
                foreach (var l in lacing)
                {
                    pending.Write(data.AsSpan(at, l));
                    at += l;
                    // A lacing value below 255 ends a packet; 255 continues it (possibly onto the next page).
                    if (l < 255)
                    {
                        stream.Packets.Add((pending.WrittenSpan.ToArray(), -1));
                        pending.ResetWrittenCount();
                        endedHere = true;
                    }
                }
                if (endedHere && granule != -1)
                {
                    var (packet, _) = stream.Packets[^1];
                    stream.Packets[^1] = (packet, granule);
                }
                if (granule != -1) stream.LastGranule = granule;
                ended = (flags & 4) != 0;
            }
            position += pageLength;
        }
        if (!ended)
            throw new ByolAException($"{path}: truncated (the Ogg stream ends without its last page after {data.Length} bytes)");
        return stream;
    }

    /// <summary>Ogg's CRC-32: polynomial 0x04C11DB7, initial 0, not reflected, over the page with its CRC field as zeros.</summary>
    static uint Crc(ReadOnlySpan<byte> page)
    {
        uint crc = 0;
        for (int i = 0; i < page.Length; i++)
        {
            byte b = i is >= 22 and < 26 ? (byte)0 : page[i];
            crc = crc << 8 ^ Table[(crc >> 24) ^ b];
        }
        return crc;
    }

    static readonly uint[] Table = Enumerable.Range(0, 256).Select(i =>
    {
        uint r = (uint)i << 24;
        for (int k = 0; k < 8; k++) r = (r & 0x80000000) != 0 ? r << 1 ^ 0x04C11DB7 : r << 1;
        return r;
    }).ToArray();
}
