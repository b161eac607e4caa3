namespace ByolA.Data;

/// <summary>
/// Decoded audio: one float32 array per channel, samples in [-1, 1] (integer PCM scaled by 2^(bits-1)).
/// </summary>
/// <param name="Channels">(C) arrays of (N) samples each; every channel has the same length.</param>
/// <param name="SampleRate">Samples per second.</param>
public sealed record AudioData(float[][] Channels, int SampleRate)
{
    /// <summary>Samples per channel (N).</summary>
    public int Frames => Channels.Length == 0 ? 0 : Channels[0].Length;

    /// <summary>Duration in seconds.</summary>
    public double Seconds => (double)Frames / SampleRate;

    /// <summary>
    /// The mean over channels, (N). Always a new array, so callers may modify it. Summed in channel order in
    /// float32 and divided by C, as torch's <c>mean(0)</c> does for the usual one or two channels.
    /// </summary>
    public float[] ToMono()
    {
        if (Channels.Length == 0) return [];
        if (Channels.Length == 1) return (float[])Channels[0].Clone();
        int n = Frames;
        var mono = new float[n];
        float count = Channels.Length;
        for (int i = 0; i < n; i++)
        {
            float sum = 0;
            foreach (var channel in Channels) sum += channel[i];
            mono[i] = sum / count;
        }
        return mono;
    }

    /// <summary>"mono", "stereo" or "N-channel", for messages.</summary>
    public static string DescribeChannels(int channels) => channels switch
    {
        1 => "mono",
        2 => "stereo",
        _ => $"{channels}-channel",
    };
}
