namespace ByolA.Data;

/// <summary>
/// Which decoder reads a file, from its first bytes (magic numbers), never from its name alone: a FLAC named .mp3 is
/// read as FLAC, and a web page saved as .mp3 is reported as what it is. Also the file extensions the finder collects.
/// </summary>
internal static class AudioFormats
{
    /// <summary>Extensions decoded in managed code, without any other program (lower case, no dot).</summary>
    public static IReadOnlyList<string> Native { get; } = ["wav", "flac", "mp3", "ogg", "oga", "opus"];

    /// <summary>Extensions decoded through ffmpeg when it is on PATH.</summary>
    public static IReadOnlyList<string> ThroughFfmpeg { get; } = ["m4a", "aac", "mp4", "webm", "mka", "mkv", "wma", "aif", "aiff"];

    /// <summary>Every extension <see cref="AudioFileFinder"/> collects by default: <see cref="Native"/> then <see cref="ThroughFfmpeg"/>.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Native, .. ThroughFfmpeg];

    /// <summary>Bytes read from the start of a file (and after an ID3v2 tag) to recognise it.</summary>
    const int HeadBytes = 512;

    /// <summary>The format of the file at <paramref name="path"/>; a missing, unreadable or empty file is a <see cref="ByolAException"/>.</summary>
    public static AudioFormatInfo Detect(string path)
    {
        using var handle = RiffWalker.Open(path);
        return Detect(handle, path);
    }

    /// <summary>The format of the open file <paramref name="handle"/> (reads at most two small blocks).</summary>
    public static AudioFormatInfo Detect(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string path)
    {
        var head = new byte[HeadBytes];
        int got;
        try
        {
            got = RiffWalker.ReadAt(handle, head, 0);
            long offset = 0;
            // What follows the ID3v2 tags (often MP3, sometimes FLAC) decides; a tag may hold pictures, and some files have two.
            for (int tags = 0; tags < 8 && Id3v2Length(head.AsSpan(0, got)) is var tag and > 0; tags++)
            {
                offset += tag;
                got = RiffWalker.ReadAt(handle, head, offset);
                if (got == 0) return new AudioFormatInfo(AudioFormat.Other, "an ID3 tag without audio");
            }
        }
        catch (IOException e) { throw IoErrors.Failure(path, "read", e); }
        var found = Detect(head.AsSpan(0, got));
        // Unknown content named .wav goes to the WAV reader, whose message says what is wrong with its header.
        return found.Name.StartsWith("unknown", StringComparison.Ordinal) && ExtensionOf(path) == "wav" ? new(AudioFormat.Wav, "WAV") : found;
    }

    /// <summary>The format whose file starts with <paramref name="head"/> (no ID3v2 tag in front).</summary>
    public static AudioFormatInfo Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 12 && (head.StartsWith("RIFF"u8) || head.StartsWith("RF64"u8) || head.StartsWith("BW64"u8)) && head[8..12].SequenceEqual("WAVE"u8))
            return new(AudioFormat.Wav, "WAV");
        if (FlacFile.IsFlac(head)) return new(AudioFormat.Flac, "FLAC");
        if (head.StartsWith("OggS"u8)) return Ogg(head);
        if (head.Length >= 8 && head[4..8].SequenceEqual("ftyp"u8)) return new(AudioFormat.Other, "MP4/M4A (AAC or ALAC)");
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3])) return new(AudioFormat.Other, "Matroska/WebM");
        if (head.StartsWith((ReadOnlySpan<byte>)[0x30, 0x26, 0xB2, 0x75])) return new(AudioFormat.Other, "ASF/WMA");
        if (head.Length >= 12 && head.StartsWith("FORM"u8) && (head[8..12].SequenceEqual("AIFF"u8) || head[8..12].SequenceEqual("AIFC"u8)))
            return new(AudioFormat.Other, "AIFF");
        if (head.StartsWith("caff"u8)) return new(AudioFormat.Other, "Core Audio (CAF)");
        if (head.StartsWith("#!AMR"u8)) return new(AudioFormat.Other, "AMR");
        if (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xF6) == 0xF0) return new(AudioFormat.Other, "AAC (ADTS)");
        if (IsMpegAudioFrame(head)) return new(AudioFormat.Mp3, "MP3");
        if (head.Length == 0) return new(AudioFormat.Other, "empty");
        return new(AudioFormat.Other, $"unknown (starts with {Convert.ToHexString(head[..Math.Min(4, head.Length)]).ToUpperInvariant()})");
    }

    /// <summary>Bytes of an ID3v2 tag at the start of <paramref name="head"/> (header, body and footer), or 0 without one.</summary>
    public static int Id3v2Length(ReadOnlySpan<byte> head)
    {
        if (head.Length < 10 || !head.StartsWith("ID3"u8) || head[3] == 0xFF) return 0;
        // The size is "syncsafe": four bytes of seven bits each.
        int size = 0;
        for (int i = 6; i < 10; i++)
        {
            if ((head[i] & 0x80) != 0) return 0;
            size = size << 7 | head[i];
        }
        bool footer = (head[5] & 0x10) != 0;
        return 10 + size + (footer ? 10 : 0);
    }

    /// <summary>Bytes of the ID3v2 tags in front of the audio of <paramref name="data"/> (0 without any).</summary>
    internal static int AudioStart(ReadOnlySpan<byte> data)
    {
        int start = 0;
        for (int tags = 0; tags < 8 && start < data.Length && Id3v2Length(data[start..]) is var tag and > 0; tags++) start += tag;
        return Math.Min(start, data.Length);
    }

    /// <summary>An MPEG audio frame header (sync, version, layer, bitrate and rate not reserved), as MP3 files start.</summary>
    static bool IsMpegAudioFrame(ReadOnlySpan<byte> head)
    {
        if (head.Length < 4 || head[0] != 0xFF || (head[1] & 0xE0) != 0xE0) return false;
        int version = head[1] >> 3 & 3, layer = head[1] >> 1 & 3, bitrate = head[2] >> 4, rate = head[2] >> 2 & 3;
        return version != 1 && layer != 0 && bitrate != 15 && rate != 3;
    }

    /// <summary>The codec of an Ogg stream, from the first packet of its first page.</summary>
    static AudioFormatInfo Ogg(ReadOnlySpan<byte> head)
    {
        if (head.Length < 27) return new(AudioFormat.Other, "Ogg (cut short)");
        int segments = head[26];
        int start = 27 + segments;
        var packet = head.Length > start ? head[start..] : [];
        if (packet.StartsWith("\u0001vorbis"u8)) return new(AudioFormat.OggVorbis, "Ogg Vorbis");
        if (packet.StartsWith("OpusHead"u8)) return new(AudioFormat.OggOpus, "Ogg Opus");
        if (packet.StartsWith("\u007FFLAC"u8)) return new(AudioFormat.Other, "Ogg FLAC");
        if (packet.StartsWith("Speex   "u8)) return new(AudioFormat.Other, "Ogg Speex");
        if (packet.StartsWith("\u0080theora"u8)) return new(AudioFormat.Other, "Ogg Theora (video)");
        return new(AudioFormat.Other, "Ogg (unknown codec)");
    }

    /// <summary>A lower-case extension without the dot, e.g. "flac" for "a/b.FLAC"; empty when there is none.</summary>
    public static string ExtensionOf(string path) => Path.GetExtension(path).TrimStart('.').ToLowerInvariant();
}
