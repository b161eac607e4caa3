using ByolA.Runtime;

namespace ByolA.Tasks.Synthetic;

/// <summary>
/// Makes one mono clip of a <see cref="SoundKind"/> with random pitch, level and timing, over a faint noise
/// floor. Every draw comes from the given generator in a fixed order, so one generator state gives one clip.
/// </summary>
internal static class SoundGenerator
{
    /// <summary>Returns <paramref name="seconds"/> of audio at <paramref name="sampleRate"/>, peak below 1.</summary>
    public static float[] Generate(SoundKind kind, IRandomSource rng, int sampleRate = 16000, double seconds = 1.0)
    {
        int n = (int)(seconds * sampleRate);
        var y = new double[n];
        // Events are shorter than the clip and start anywhere, so the timing itself carries no label.
        double dur = seconds * rng.Uniform(0.4, 0.9);
        int start = (int)(rng.Uniform(0, seconds - dur) * sampleRate);
        int len = Math.Min((int)(dur * sampleRate), n - start);
        double sr = sampleRate;
        switch (kind)
        {
            case SoundKind.Tone:
            {
                double f0 = LogUniform(rng, 150, 1200);
                int partials = rng.RandInt(3, 6);
                for (int k = 1; k <= partials && f0 * k < sr / 2 - 200; k++)
                    AddSine(y, start, len, f0 * k, Math.Pow(0.6, k - 1), rng.Uniform() * 2 * Math.PI, sr);
                break;
            }
            case SoundKind.Chirp:
            {
                double f1 = LogUniform(rng, 200, 1000), ratio = rng.Uniform(2, 5);
                double phase = 0;
                for (int i = 0; i < len; i++)
                {
                    double f = f1 * Math.Pow(ratio, (double)i / len);
                    phase += 2 * Math.PI * f / sr;
                    y[start + i] += Math.Sin(phase);
                }
                break;
            }
            case SoundKind.NoiseBand:
            {
                double fc = LogUniform(rng, 400, 5000), half = fc * (Math.Pow(2, 1.0 / 6) - 1);
                for (int j = 0; j < 48; j++)
                    AddSine(y, start, len, rng.Uniform(fc - half, fc + half), 0.2, rng.Uniform() * 2 * Math.PI, sr);
                break;
            }
            case SoundKind.Clicks:
            {
                double rate = rng.Uniform(6, 30), decay = rng.Uniform(0.001, 0.004), fc = LogUniform(rng, 1000, 4000);
                for (double t = 0; t < dur; t += 1 / rate)
                {
                    int at = start + (int)(t * sr);
                    for (int i = 0; i < (int)(6 * decay * sr) && at + i < n; i++)
                        y[at + i] += Math.Exp(-i / (decay * sr)) * Math.Sin(2 * Math.PI * fc * i / sr);
                }
                break;
            }
            case SoundKind.Tremolo:
            {
                double f0 = LogUniform(rng, 150, 1200), fm = rng.Uniform(5, 15), ph = rng.Uniform() * 2 * Math.PI;
                for (int i = 0; i < len; i++)
                {
                    double t = i / sr;
                    y[start + i] += (0.5 + 0.5 * Math.Sin(2 * Math.PI * fm * t + ph)) *
                                    (Math.Sin(2 * Math.PI * f0 * t) + 0.4 * Math.Sin(4 * Math.PI * f0 * t));
                }
                break;
            }
            case SoundKind.Buzz:
            {
                double f0 = LogUniform(rng, 70, 250);
                for (int k = 1; f0 * k < Math.Min(sr / 2 - 200, 6000); k++)
                    AddSine(y, start, len, f0 * k, 1.0 / k, 0, sr);
                break;
            }
        }
        Fade(y, start, len, (int)(0.01 * sr));
        double peak = y.Max(Math.Abs);
        double level = Math.Pow(10, rng.Uniform(-26, -6) / 20);
        var output = new float[n];
        double floor = level * Math.Pow(10, -rng.Uniform(25, 45) / 20);
        for (int i = 0; i < n; i++)
            output[i] = (float)((peak > 0 ? y[i] / peak * level : 0) + floor * Gaussian(rng));
        return output;
    }

    static void AddSine(double[] y, int start, int len, double f, double amp, double phase, double sr)
    {
        double w = 2 * Math.PI * f / sr;
        for (int i = 0; i < len; i++) y[start + i] += amp * Math.Sin(w * i + phase);
    }

    static void Fade(double[] y, int start, int len, int ramp)
    {
        ramp = Math.Min(ramp, len / 2);
        for (int i = 0; i < ramp; i++)
        {
            double g = (double)i / ramp;
            y[start + i] *= g;
            y[start + len - 1 - i] *= g;
        }
    }

    static double LogUniform(IRandomSource rng, double lo, double hi) => Math.Exp(rng.Uniform(Math.Log(lo), Math.Log(hi)));

    static double Gaussian(IRandomSource rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.Uniform())) * Math.Cos(2 * Math.PI * rng.Uniform());
}
