using ByolA.Models;
using System.Globalization;
using ByolA.Configuration;

namespace ByolA.Learning;

/// <summary>The original's names for trained weights (SPEC.md §5).</summary>
internal static class WeightsFileName
{
    /// <summary>
    /// v1: <c>BYOLA-NTT2020d{d}s{F}x{T}-{yyMMddHHmm}-e{epochs}-bs{bs}-lr{lr digits}-rs{seed}.pth</c>;
    /// v2: <c>AudioNTT2022-BYOLA-{F}x{T}d{d}-{yyMMddHHmm}-e{epochs}b{bs}l{lr digits}r{seed}-{hash8}.pth</c>.
    /// </summary>
    public static string For(ByolAConfig config, DateTime timestamp, string hash8 = "00000000")
    {
        string ts = timestamp.ToString("yyMMddHHmm", CultureInfo.InvariantCulture);
        return config.Encoder.WeightsFileName(new TrainedWeightsName(config.Shape[0], config.Shape[1], config.FeatureD, ts, config.Epochs,
            config.Bs, LrDigits(config.Lr), config.Seed, hash8));
    }

    /// <summary>The digits of lr after "0." (0.0003 → "0003"); an lr ≥ 1 keeps its digits without the point.</summary>
    public static string LrDigits(double lr)
    {
        var text = lr.ToString("0.###############", CultureInfo.InvariantCulture);
        return text.StartsWith("0.", StringComparison.Ordinal) ? text[2..] : text.Replace(".", "");
    }
}
