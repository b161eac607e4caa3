namespace ByolA.Data;

/// <summary>
/// The one decoder path for audio files, chosen by content (<see cref="AudioFormats.Detect(string)"/>), not by name:
/// WAV (<see cref="WavFile"/>), FLAC (<see cref="FlacFile"/>, our own), MP3 (NLayer), Ogg Vorbis (NVorbis), Opus
/// (Concentus) and anything else through ffmpeg on PATH. Returns the channels at the file's own rate; making them mono
/// at a model's rate is <see cref="AudioLoader"/>'s part. Every failure is one <see cref="ByolAException"/> line
/// "path: reason" — a truncated or damaged file, an MD5 mismatch, a stream without samples, a format nothing here reads.
/// </summary>
internal static class AudioDecoder
{
    /// <summary>Decodes the file at <paramref name="path"/>. WAV size notes (see <see cref="WavLayout.Note"/>) go to <paramref name="warn"/>.</summary>
    public static AudioData Decode(string path, Action<string>? warn = null)
    {
        var format = AudioFormats.Detect(path);
        return Decode(path, format, warn);
    }

    /// <summary>Decodes <paramref name="path"/>, already recognised as <paramref name="format"/>.</summary>
    public static AudioData Decode(string path, AudioFormatInfo format, Action<string>? warn = null)
    {
        if (format.Format == AudioFormat.Wav) return WavFile.Read(path, warn);
        AudioData audio;
        try
        {
            audio = format.Format switch
            {
                AudioFormat.Flac => FlacFile.Decode(ReadAllBytes(path), path),
                AudioFormat.Mp3 => Mp3Decoding.Decode(ReadAllBytes(path), path),
                AudioFormat.OggVorbis => VorbisDecoding.Decode(ReadAllBytes(path), path),
                AudioFormat.OggOpus => OpusDecoding.Decode(ReadAllBytes(path), path),
                _ when IsUnknownUnderNativeName(path, format) => throw Unknown(path, format),
                _ => FfmpegDecoding.Decode(path, format, FfmpegDecoding.Find()),
            };
        }
        catch (Exception e) when (e is not (ByolAException or OutOfMemoryException or OperationCanceledException))
        {
            // A decoder fault on hostile data is still one line naming the file, never a crash of the run.
            throw new ByolAException($"{path}: not a readable {format.Name} file ({e.GetType().Name}: {e.Message.TrimEnd('.')})", e);
        }
        if (audio.Frames == 0)
            throw new ByolAException($"{path}: {format.Name} file without audio samples (a zero-length stream); remove or replace it");
        return audio;
    }

    /// <summary>
    /// Why <paramref name="path"/> (of <paramref name="format"/>) cannot be decoded without decoding it — it needs ffmpeg
    /// and ffmpeg is not on PATH, or its content is unknown under a name of a format decoded here — or null.
    /// The reason is without the leading "path: ".
    /// </summary>
    public static string? NeedsMissingFfmpeg(string path, AudioFormatInfo format)
    {
        if (format.Format != AudioFormat.Other) return null;
        var e = IsUnknownUnderNativeName(path, format) ? Unknown(path, format) : FfmpegDecoding.Find() == null ? FfmpegDecoding.Missing(path, format) : null;
        return e?.Message[(path.Length + 2)..];
    }

    static ByolAException Unknown(string path, AudioFormatInfo format) =>
        new($"{path}: not audio in a format this reads ({format.Name}, but named .{AudioFormats.ExtensionOf(path)}); replace the file");

    /// <summary>
    /// Content no magic number names, in a file whose name claims a format decoded here: the name is wrong (a web page
    /// saved as .mp3, a damaged download), and ffmpeg would only guess, so it is not asked.
    /// </summary>
    static bool IsUnknownUnderNativeName(string path, AudioFormatInfo format) =>
        format.Name.StartsWith("unknown", StringComparison.Ordinal) && AudioFormats.Native.Contains(AudioFormats.ExtensionOf(path));

    /// <summary>The whole file in memory; a missing, empty or unreadable file is a <see cref="ByolAException"/>.</summary>
    internal static byte[] ReadAllBytes(string path)
    {
        using var handle = RiffWalker.Open(path);
        long length = RandomAccess.GetLength(handle);
        if (length > Array.MaxLength) throw new ByolAException($"{path}: too large to decode ({length} bytes; at most {Array.MaxLength})");
        var data = new byte[length];
        int got;
        try { got = RiffWalker.ReadAt(handle, data, 0); }
        catch (IOException e) { throw IoErrors.Failure(path, "read", e); }
        return got == data.Length ? data : data[..got];
    }

    /// <summary>The offset after an ID3v2 tag at the start of <paramref name="data"/> (0 without one).</summary>
    internal static int SkipId3v2(byte[] data) => AudioFormats.AudioStart(data);
}
