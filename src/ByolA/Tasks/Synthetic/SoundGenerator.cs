using ByolA.Augmentations;

namespace ByolA.Tasks.Synthetic;

/// <summary>
/// Makes one mono clip of a <see cref="SoundKind"/>: an event with random pitch (110–880 Hz), duration and onset,
/// mixed with coloured noise 6–24 dB below it and, in 60 % of the clips, with a sound of another kind 4–12 dB
/// below it, then set to a random peak level (−30 to −3 dBFS). These nuisances are what BYOL-A's augmentations
/// (Mixup with other clips, frequency/time stretch, level changes) teach an encoder to ignore, so a randomly
/// initialised encoder, whose features mostly follow pitch and level, needs far more labels to do as well.
/// Every draw comes from the given generator in a fixed order, so one generator state gives one clip.
/// </summary>
public static class SoundGenerator
{
    /// <summary>No partial above this frequency (well below Nyquist at 16 kHz; keeps clips alias-free).</summary>
    const double MaxPartialHz = 7000;

    static readonly double[] BellRatios = [1, 2.756, 5.404, 8.933];

    /// <summary>Returns <paramref name="seconds"/> of audio at <paramref name="sampleRate"/>, peak below 1.</summary>
    public static float[] Generate(SoundKind kind, IRandomSource rng, int sampleRate = 16000, double seconds = 1.0)
    {
        int n = (int)(seconds * sampleRate);
        var y = Event(kind, rng, n, sampleRate);
        Scale(y, 1 / Rms(y));
        var noise = ColouredNoise(rng, n, sampleRate);
        AddScaled(y, noise, Db(-rng.Uniform(6, 24)) / Rms(noise));
        if (rng.Uniform() < 0.6)
        {
            var kinds = Enum.GetValues<SoundKind>();
            var other = kinds[(Array.IndexOf(kinds, kind) + rng.RandInt(1, kinds.Length - 1)) % kinds.Length];
            var distractor = Event(other, rng, n, sampleRate);
            AddScaled(y, distractor, Db(-rng.Uniform(4, 12)) / Rms(distractor));
        }
        double peak = y.Max(Math.Abs), level = Db(rng.Uniform(-30, -3));
        var output = new float[n];
        for (int i = 0; i < n; i++) output[i] = (float)(y[i] / peak * level);
        return output;
    }

    /// <summary>The foreground sound alone, unnormalised: zeros outside its random onset and duration.</summary>
    static double[] Event(SoundKind kind, IRandomSource rng, int n, double sr)
    {
        var y = new double[n];
        int len = (int)(n * rng.Uniform(0.5, 0.9));
        int start = rng.RandInt(0, n - len);
        double f0 = LogUniform(rng, 110, 880);
        var segment = y.AsSpan(start, len);
        switch (kind)
        {
            case SoundKind.Sine or SoundKind.Square or SoundKind.Saw:
                Harmonic(segment, SteadyAmplitudes(kind, f0, rng), Constant(f0, len), sr);
                SteadyEnvelope(segment, rng, sr);
                break;
            case SoundKind.Bell:
            {
                double tau = rng.Uniform(0.15, 0.5);
                foreach (var ratio in BellRatios)
                {
                    double f = f0 * ratio, phase = rng.Uniform(0, 2 * Math.PI), decay = Math.Exp(-1 / (tau / Math.Sqrt(ratio) * sr));
                    if (f >= MaxPartialHz) break;
                    double g = 1 / Math.Sqrt(ratio), w = 2 * Math.PI * f / sr;
                    for (int i = 0; i < len; i++, g *= decay) segment[i] += g * Math.Sin(w * i + phase);
                }
                Ramp(segment, (int)(0.002 * sr), rising: true);
                break;
            }
            case SoundKind.Pluck:
            {
                double tau = rng.Uniform(0.06, 0.2);
                int partials = PartialCount(f0);
                var decays = new double[partials];
                for (int k = 1; k <= partials; k++) decays[k - 1] = Math.Exp(-(1 + 0.4 * (k - 1)) / (tau * sr));
                Harmonic(segment, Enumerable.Range(1, partials).Select(k => 1.0 / k).ToArray(), Constant(f0, len), sr, decays);
                Ramp(segment, (int)(0.002 * sr), rising: true);
                break;
            }
            case SoundKind.Vibrato:
            {
                double rate = rng.Uniform(4, 8), depth = rng.Uniform(0.02, 0.05), phase = rng.Uniform(0, 2 * Math.PI);
                var amps = SteadyAmplitudes(RandomCarrier(rng), f0 * (1 + depth), rng);
                var f = new double[len];
                for (int i = 0; i < len; i++) f[i] = f0 * (1 + depth * Math.Sin(2 * Math.PI * rate * i / sr + phase));
                Harmonic(segment, amps, f, sr);
                SteadyEnvelope(segment, rng, sr);
                break;
            }
            case SoundKind.Tremolo:
            {
                double rate = rng.Uniform(5, 12), depth = rng.Uniform(0.7, 1), phase = rng.Uniform(0, 2 * Math.PI);
                Harmonic(segment, SteadyAmplitudes(RandomCarrier(rng), f0, rng), Constant(f0, len), sr);
                for (int i = 0; i < len; i++)
                    segment[i] *= 1 - depth * (0.5 + 0.5 * Math.Sin(2 * Math.PI * rate * i / sr + phase));
                SteadyEnvelope(segment, rng, sr);
                break;
            }
            case SoundKind.Repeats:
            {
                Harmonic(segment, SteadyAmplitudes(RandomCarrier(rng), f0, rng), Constant(f0, len), sr);
                int notes = rng.RandInt(3, 6), noteLen = (int)(rng.Uniform(0.05, 0.12) * sr), ramp = (int)(0.005 * sr);
                double spacing = (double)(len - noteLen) / (notes - 1);
                var gate = new double[len];
                for (int k = 0; k < notes; k++)
                {
                    var note = gate.AsSpan((int)(k * spacing), Math.Min(noteLen, len - (int)(k * spacing)));
                    note.Fill(1);
                    Ramp(note, ramp, rising: true);
                    Ramp(note, ramp, rising: false);
                }
                for (int i = 0; i < len; i++) segment[i] *= gate[i];
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown sound kind");
        }
        return y;
    }

    static SoundKind RandomCarrier(IRandomSource rng) => rng.RandInt(0, 2) switch { 0 => SoundKind.Sine, 1 => SoundKind.Square, _ => SoundKind.Saw };

    /// <summary>Partial amplitudes (index k−1 for harmonic k) of the steady timbres, up to <see cref="MaxPartialHz"/>.</summary>
    static double[] SteadyAmplitudes(SoundKind timbre, double topF0, IRandomSource rng)
    {
        var amps = new double[PartialCount(topF0)];
        switch (timbre)
        {
            case SoundKind.Sine:
                amps[0] = 1;
                if (amps.Length > 1) amps[1] = rng.Uniform(0, 0.1);
                if (amps.Length > 2) amps[2] = rng.Uniform(0, 0.05);
                break;
            case SoundKind.Square:
                for (int k = 1; k <= amps.Length; k += 2) amps[k - 1] = 1.0 / k;
                break;
            default:
                for (int k = 1; k <= amps.Length; k++) amps[k - 1] = 1.0 / k;
                break;
        }
        return amps;
    }

    static int PartialCount(double f0) => Math.Max(1, (int)(MaxPartialHz / f0));

    static double[] Constant(double f, int len)
    {
        var a = new double[len];
        Array.Fill(a, f);
        return a;
    }

    /// <summary>
    /// Adds Σₖ aₖ·gₖ(t)·sin(k·φ(t)) with φ the integral of <paramref name="f0"/>; gₖ decays by <paramref name="decays"/>
    /// per sample when given. sin(kφ) comes from the Chebyshev recurrence, one multiply-add per partial and sample.
    /// </summary>
    static void Harmonic(Span<double> y, double[] amps, double[] f0, double sr, double[]? decays = null)
    {
        var gains = (double[])amps.Clone();
        double phase = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double c2 = 2 * Math.Cos(phase), previous = 0, current = Math.Sin(phase), sum = 0;
            for (int k = 0; k < gains.Length; k++)
            {
                sum += gains[k] * current;
                (previous, current) = (current, c2 * current - previous);
            }
            y[i] += sum;
            if (decays != null) for (int k = 0; k < gains.Length; k++) gains[k] *= decays[k];
            phase += 2 * Math.PI * f0[i] / sr;
            if (phase > 2 * Math.PI) phase -= 2 * Math.PI;
        }
    }

    static void SteadyEnvelope(Span<double> y, IRandomSource rng, double sr)
    {
        Ramp(y, (int)(rng.Uniform(0.01, 0.08) * sr), rising: true);
        Ramp(y, (int)(rng.Uniform(0.02, 0.15) * sr), rising: false);
    }

    /// <summary>A linear fade-in over the first (or fade-out over the last) <paramref name="ramp"/> samples.</summary>
    static void Ramp(Span<double> y, int ramp, bool rising)
    {
        ramp = Math.Min(ramp, y.Length / 2);
        for (int i = 0; i < ramp; i++)
            y[rising ? i : y.Length - 1 - i] *= (double)i / ramp;
    }

    /// <summary>Gaussian noise through a one-pole low-pass with a random corner (300 Hz – 8 kHz): dull to hissy.</summary>
    static double[] ColouredNoise(IRandomSource rng, int n, double sr)
    {
        double alpha = 1 - Math.Exp(-2 * Math.PI * LogUniform(rng, 300, 8000) / sr), state = 0;
        var y = new double[n];
        for (int i = 0; i < n; i++) y[i] = state += alpha * (Gaussian(rng) - state);
        return y;
    }

    static void Scale(double[] y, double g)
    {
        for (int i = 0; i < y.Length; i++) y[i] *= g;
    }

    static void AddScaled(double[] y, double[] x, double g)
    {
        for (int i = 0; i < y.Length; i++) y[i] += g * x[i];
    }

    static double Rms(double[] y) => Math.Max(1e-12, Math.Sqrt(y.Sum(v => v * v) / y.Length));

    static double Db(double db) => Math.Pow(10, db / 20);

    static double LogUniform(IRandomSource rng, double lo, double hi) => Math.Exp(rng.Uniform(Math.Log(lo), Math.Log(hi)));

    static double Gaussian(IRandomSource rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.Uniform())) * Math.Cos(2 * Math.PI * rng.Uniform());
}
