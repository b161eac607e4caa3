namespace ByolA.Data;

/// <summary>Loads the mono, fixed-rate audio that training, embedding and evaluation consume.</summary>
public static class AudioLoader
{
    /// <summary>
    /// Reads a mono WAV file recorded at exactly <paramref name="sampleRate"/> and returns its (N) samples.
    /// Anything else is a <see cref="ByolAException"/> telling the user to run <c>byola convert-wav</c>: resampling
    /// silently here would make results depend on which files happened to be converted.
    /// </summary>
    public static float[] LoadMono(string path, int sampleRate, Action<string>? warn = null)
    {
        using var handle = RiffWalker.Open(path);
        var layout = WavFile.Layout(handle, path, warn);
        Require(path, layout, sampleRate);
        var samples = new float[layout.Frames];
        WavFile.ReadMono(handle, path, layout, 0, samples);
        return samples;
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
