using ByolA.Weights;
using ByolA.Data;
using ByolA.Audio;
using ByolA.Models;

namespace ByolA.Tests.Embedding;

/// <summary>Tiny generated WAV files and encoder weights for the embed tests.</summary>
internal static class EmbedderTestAudio
{
    public const int Rate = 16000;

    /// <summary>A deterministic chirp-like tone of <paramref name="seconds"/>, different per <paramref name="variant"/>.</summary>
    public static float[] Tone(double seconds, int variant)
    {
        var x = new float[(int)(seconds * Rate)];
        double hz = 220 * (variant + 1);
        for (int i = 0; i < x.Length; i++)
        {
            double t = (double)i / Rate;
            x[i] = (float)(0.5 * Math.Sin(2 * Math.PI * (hz + 300 * t) * t) + 0.1 * Math.Sin(2 * Math.PI * 3100 * t * (variant + 1)));
        }
        return x;
    }

    /// <summary>Writes mono 16-bit WAVs of the given lengths as <c>dir/clip{i}.wav</c>; returns their paths.</summary>
    public static string[] WriteClips(string dir, params double[] seconds)
    {
        Directory.CreateDirectory(dir);
        var paths = new string[seconds.Length];
        for (int i = 0; i < seconds.Length; i++)
        {
            paths[i] = Path.Combine(dir, $"clip{i}.wav");
            WavFile.WritePcm16(paths[i], Tone(seconds[i], i), Rate);
        }
        return paths;
    }

    /// <summary>What the file looks like after a 16-bit round trip.</summary>
    public static float[] ReadBack(string path) => AudioLoader.LoadMono(path, Rate);

    /// <summary>A seeded random AudioNTT2020 (64 mel bins, d = 32) in eval mode, and its weights saved to <paramref name="path"/>.</summary>
    public static AudioNTT2020 TinyEncoder(string path, int seed = 11)
    {
        TorchSharp.torch.manual_seed(seed);
        var model = new AudioNTT2020(64, 32);
        model.eval();
        EncoderWeights.Save(model, path);
        return model;
    }
}
