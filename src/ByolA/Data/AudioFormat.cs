namespace ByolA.Data;

/// <summary>What a file holds, found from its first bytes (<see cref="AudioFormats.Detect(string)"/>), not from its name.</summary>
internal enum AudioFormat
{
    /// <summary>RIFF/RF64 WAVE: read by <see cref="WavFile"/>.</summary>
    Wav,

    /// <summary>Native FLAC: read by <see cref="FlacFile"/>.</summary>
    Flac,

    /// <summary>MPEG-1/2 audio layer I–III (MP3), optionally after an ID3v2 tag: read through NLayer.</summary>
    Mp3,

    /// <summary>Vorbis in Ogg: read through NVorbis.</summary>
    OggVorbis,

    /// <summary>Opus in Ogg: read through Concentus.</summary>
    OggOpus,

    /// <summary>Anything else (AAC, M4A, WebM, video containers, or not audio at all): read through ffmpeg when it is on PATH.</summary>
    Other,
}
