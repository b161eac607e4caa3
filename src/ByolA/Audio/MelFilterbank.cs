namespace ByolA.Audio;

/// <summary>
/// The HTK-scale triangular mel filterbank of <see cref="LogMelSpectrogram.HtkMelFilterbank"/> as plain float32 arrays, computed
/// without libtorch, so that code that must not load it (the ONNX Runtime engine, the ONNX exporter's front end)
/// uses the same matrix. float32 pow rounds differently from libtorch's vectorised kernel in a few entries (last bit
/// only), which is why <see cref="LogMelSpectrogram"/> keeps its own bit-exact torch computation.
/// </summary>
internal static class MelFilterbank
{
    /// <summary>
    /// (n_fft/2 + 1, n_mels) row-major, float32 arithmetic throughout as the reference computes it: n_mels + 2 points
    /// equally spaced in mel = 2595·log10(1 + f/700) between f_min and f_max, and for each bin frequency
    /// (linspace(0, sr/2, n_fft/2 + 1)) the triangle max(0, min(rising, falling)) of its neighbours; no normalisation.
    /// </summary>
    public static float[] Htk(int sampleRate, int nFft, int nMels, double fMin, double fMax)
    {
        int nFreqs = nFft / 2 + 1;
        var allFreqs = Linspace(0f, sampleRate / 2, nFreqs);
        double melMin = 2595.0 * Math.Log10(1.0 + fMin / 700.0);
        double melMax = 2595.0 * Math.Log10(1.0 + fMax / 700.0);
        var melPts = LogMelSpectrogram.ReferenceLinspace(melMin, melMax, nMels + 2);
        var fPts = new float[nMels + 2];
        for (int m = 0; m < fPts.Length; m++) fPts[m] = 700.0f * (MathF.Pow(10.0f, melPts[m] / 2595.0f) - 1.0f);
        var fDiff = new float[nMels + 1];
        for (int m = 0; m < fDiff.Length; m++) fDiff[m] = fPts[m + 1] - fPts[m];
        var fb = new float[nFreqs * nMels];
        for (int i = 0; i < nFreqs; i++)
            for (int m = 0; m < nMels; m++)
            {
                float down = -(fPts[m] - allFreqs[i]) / fDiff[m];
                float up = (fPts[m + 2] - allFreqs[i]) / fDiff[m + 1];
                fb[i * nMels + m] = Math.Max(0f, Math.Min(down, up));
            }
        return fb;
    }

    /// <summary>float32 linspace as libtorch's CPU kernel computes it: start + step·i in the first half, end − step·(n−1−i) in the second.</summary>
    static float[] Linspace(float start, float end, int steps)
    {
        var result = new float[steps];
        if (steps == 1) { result[0] = start; return result; }
        float step = (end - start) / (steps - 1);
        int half = steps / 2;
        for (int i = 0; i < steps; i++) result[i] = i < half ? start + step * i : end - step * (steps - i - 1);
        return result;
    }
}
