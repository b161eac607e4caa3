namespace ByolA.Data;

/// <summary>Loads the mono, fixed-rate audio that training, embedding and evaluation consume.</summary>
public static class AudioLoader
{
    /// <summary>
    /// The (N) mono samples of the audio file at <paramref name="path"/> at <paramref name="sampleRate"/>, whatever its
    /// format (WAV, FLAC, MP3, Ogg Vorbis, Opus, others through ffmpeg; chosen by content). A file that is not mono at
    /// exactly that rate is a <see cref="ByolAException"/> telling the user to run <c>byola convert-wav</c>
    /// (<c>ByolAModel.EmbedFile</c> converts compressed files itself).
    /// </summary>
    public static float[] LoadMono(string path, int sampleRate, Action<string>? warn = null) => LoadMono(path, sampleRate, null, warn);

    /// <summary>
    /// As <see cref="LoadMono(string, int, Action{string}?)"/>, but compressed audio that is not mono at the rate is made so
    /// by <paramref name="convert"/> (the library passes convert-wav's own conversion, Audio's <c>AudioConversion.ToMono</c>).
    /// A WAV file must still be mono at exactly the rate: its frames are read straight from the file, and a crop reads
    /// only its own bytes, so converting once is far cheaper than converting every epoch.
    /// </summary>
    internal static float[] LoadMono(string path, int sampleRate, Func<AudioData, int, float[]>? convert, Action<string>? warn = null)
    {
        using var handle = RiffWalker.Open(path);
        var format = AudioFormats.Detect(handle, path);
        if (format.Format != AudioFormat.Wav) return DecodeMono(path, format, sampleRate, convert);
        var layout = WavFile.Layout(handle, path, warn);
        Require(path, layout, sampleRate);
        var samples = new float[layout.Frames];
        WavFile.ReadMono(handle, path, layout, 0, samples);
        return samples;
    }

    /// <summary>A file that is not WAV, decoded and made mono at <paramref name="sampleRate"/> (see <see cref="LoadMono(string, int, Func{AudioData, int, float[]}?, Action{string}?)"/>).</summary>
    internal static float[] DecodeMono(string path, AudioFormatInfo format, int sampleRate, Func<AudioData, int, float[]>? convert)
    {
        var audio = AudioDecoder.Decode(path, format);
        if (audio.Channels.Length == 1 && audio.SampleRate == sampleRate) return audio.Channels[0];
        if (convert == null)
            throw new ByolAException(
                $"{path}: {audio.SampleRate} Hz {AudioData.DescribeChannels(audio.Channels.Length)}, expected {sampleRate} Hz mono; run `byola convert-wav` first");
        return convert(audio, sampleRate);
    }

    /// <summary>Throws the convert-wav hint unless <paramref name="layout"/> is mono at <paramref name="sampleRate"/>.</summary>
    internal static void Require(string path, WavLayout layout, int sampleRate)
    {
        if (layout.Channels != 1 || layout.SampleRate != sampleRate)
            throw new ByolAException(
                $"{path}: {layout.SampleRate} Hz {AudioData.DescribeChannels(layout.Channels)}, expected {sampleRate} Hz mono; " +
                "run `byola convert-wav` first");
    }
}
