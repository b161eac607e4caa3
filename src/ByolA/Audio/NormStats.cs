using System.Globalization;
using static TorchSharp.torch;
using ByolA.Runtime;

namespace ByolA.Audio;

/// <summary>
/// Normalisation statistics of log-mel spectrograms (SPEC §6.1): population mean and standard deviation over
/// every bin and frame of the sampled clips. Encoders consume <c>(x − Mean) / Std</c>.
/// </summary>
public sealed record NormStats(double Mean, double Std)
{
    /// <summary>Smallest accepted std; log-mel stats are of order 1–10 (e.g. -5.49, 5.04).</summary>
    public const double MinStd = 1e-6;

    /// <summary>Largest accepted |mean| and std.</summary>
    public const double MaxMagnitude = 1e6;

    /// <summary>
    /// Throws <see cref="ByolAException"/> unless the stats give finite normalised values in float32: both finite,
    /// |Mean| ≤ <see cref="MaxMagnitude"/>, <see cref="MinStd"/> ≤ Std ≤ <see cref="MaxMagnitude"/> (a std like 1e-45
    /// turns every log-mel value into ±infinity).
    /// </summary>
    public NormStats Validate()
    {
        if (!double.IsFinite(Mean) || !double.IsFinite(Std) || Std < MinStd || Std > MaxMagnitude || Math.Abs(Mean) > MaxMagnitude)
            throw new ByolAException(string.Create(CultureInfo.InvariantCulture,
                $"normalisation stats must be finite with |mean| <= {MaxMagnitude:G} and {MinStd:G} <= std <= {MaxMagnitude:G} (got mean {Mean:R}, std {Std:R})"));
        return this;
    }

    /// <summary><c>(x − Mean) / Std</c>, any shape, on x's device.</summary>
    public Tensor Normalise(Tensor x)
    {
        using var k = new KeptScalars();
        return (x - k.Of(Mean)).div_(k.Of(Std));
    }

    /// <summary>Parses "MEAN,STD" (invariant culture, e.g. "-5.4919,5.0389").</summary>
    public static NormStats Parse(string text)
    {
        var parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var mean)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var std))
            throw new ByolAException($"normalisation stats '{text}' must be two numbers MEAN,STD (e.g. -5.49,5.04)");
        return new NormStats(mean, std).Validate();
    }

    /// <summary>"MEAN,STD" with round-trip precision, the form <see cref="Parse"/> reads.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Mean:R},{Std:R}");
}
