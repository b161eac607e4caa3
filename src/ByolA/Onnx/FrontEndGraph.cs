using ByolA.Audio;
using ByolA.Configuration;
using static ByolA.Onnx.OnnxGraph;

namespace ByolA.Onnx;

/// <summary>
/// The log-mel front end (SPEC §2) as ONNX nodes, equal to <see cref="LogMelSpectrogram"/> up to float rounding:
/// reflect padding of n_fft/2 on each side (a centred STFT), a Conv1d whose kernels are the periodic-Hann-windowed
/// DFT basis (cos and sin rows for the n_fft/2 + 1 one-sided bins) with stride hop_length, squares summed into the
/// power spectrum and mapped to mel bands in one MatMul with [fbᵀ | fbᵀ], then log(x + eps) and, when stats are
/// given, (x − mean) / std. A Conv instead of the STFT op: every runtime and opset has it, and MLAS runs it fast.
/// Nodes and constants are named "frontend/…" so <see cref="OnnxModelFile"/> can swap the front end out.
/// </summary>
internal static class FrontEndGraph
{
    public const string ScopeName = "frontend/";

    /// <summary>
    /// Appends the front end reading <paramref name="waveform"/> (B, N) and returns the name of its output:
    /// (B, 1, F, T) with <paramref name="unsqueeze"/>, else (B, F, T); T = 1 + N / hop_length.
    /// </summary>
    public static string Add(OnnxGraph g, string waveform, ByolAConfig config, (double Mean, double Std)? stats, bool unsqueeze, string? output = null)
    {
        var previousScope = g.Scope;
        g.Scope = ScopeName;
        int nFft = config.NFft, nFreqs = nFft / 2 + 1, nMels = config.NMels;

        var x = g.Node("Unsqueeze", [waveform, g.Int64s("axis1", 1)]);                       // (B, 1, N)
        x = g.Node("Pad", [x, g.Int64s("pads", 0, 0, nFft / 2, 0, 0, nFft / 2)], Attr("mode", "reflect"));
        var kernel = g.Floats("dft_kernel", DftKernel(nFft, config.WinLength), 2 * nFreqs, 1, nFft);
        var spec = g.Node("Conv", [x, kernel], Ints("strides", (long)config.HopLength), Ints("kernel_shape", (long)nFft)); // (B, 2·nFreqs, T)
        var squares = g.Node("Mul", [spec, spec]);

        // [fbᵀ | fbᵀ] (F, 2·nFreqs): re² and im² of each bin meet the same filter weight, so one product gives mel power.
        var fb = MelFilterbank.Htk(config.SampleRate, nFft, nMels, config.FMin, config.FMax);  // (nFreqs, F)
        var fbT2 = new float[nMels * 2 * nFreqs];
        for (int m = 0; m < nMels; m++)
            for (int k = 0; k < nFreqs; k++)
                fbT2[m * 2 * nFreqs + k] = fbT2[m * 2 * nFreqs + nFreqs + k] = fb[k * nMels + m];
        var mel = g.Node("MatMul", [g.Floats("mel_fb_t2", fbT2, nMels, 2 * nFreqs), squares]);  // (B, F, T)
        var lms = g.Node("Log", [g.Node("Add", [mel, g.Scalar("eps", Numerics.Eps)])]);
        if (stats is var (mean, std))
            lms = g.Node("Div", [g.Node("Sub", [lms, g.Scalar("mean", (float)mean)]), g.Scalar("std", (float)std)]);
        string result = unsqueeze ? g.Node("Unsqueeze", [lms, g.Int64s("axis1", 1)], output) : g.Node("Identity", [lms], output);
        g.Scope = previousScope;
        return result;
    }

    /// <summary>
    /// (2·(n_fft/2 + 1), n_fft): rows k = cos(2πkn/n_fft)·w[n], rows n_fft/2 + 1 + k = −sin(2πkn/n_fft)·w[n], with w the
    /// periodic Hann window of win_length centred in n_fft (as torch.stft pads a shorter window). Computed in float64.
    /// </summary>
    internal static float[] DftKernel(int nFft, int winLength)
    {
        int nFreqs = nFft / 2 + 1;
        var window = new double[nFft];
        int left = (nFft - winLength) / 2;
        for (int n = 0; n < winLength; n++) window[left + n] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / winLength);
        var kernel = new float[2 * nFreqs * nFft];
        for (int k = 0; k < nFreqs; k++)
            for (int n = 0; n < nFft; n++)
            {
                // k·n mod n_fft keeps the angle small, so cos/sin are exact to float64 rounding.
                double angle = 2 * Math.PI * ((long)k * n % nFft) / nFft;
                kernel[k * nFft + n] = (float)(Math.Cos(angle) * window[n]);
                kernel[(nFreqs + k) * nFft + n] = (float)(-Math.Sin(angle) * window[n]);
            }
        return kernel;
    }
}
