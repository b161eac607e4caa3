namespace ByolA.Audio;

/// <summary>Loads the mono, fixed-rate audio that training, embedding and evaluation consume.</summary>
public static class AudioLoader
{
    /// <summary>
    /// Reads a mono WAV file recorded at exactly <paramref name="sampleRate"/> and returns its (N) samples.
    /// Anything else is a <see cref="ByolAException"/> telling the user to run <c>byola convert-wav</c>: resampling
    /// silently here would make results depend on which files happened to be converted.
    /// </summary>
    public static float[] LoadMono(string path, int sampleRate)
    {
        var audio = WavFile.Read(path);
        int channels = audio.Channels.Length;
        if (channels != 1 || audio.SampleRate != sampleRate)
            throw new ByolAException(
                $"{path}: {audio.SampleRate} Hz {AudioData.DescribeChannels(channels)}, expected {sampleRate} Hz mono; " +
                "run `byola convert-wav` first");
        return audio.Channels[0];
    }
}
