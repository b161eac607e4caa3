using System.Globalization;
using static TorchSharp.torch;

namespace ByolA.Evaluation;

/// <summary>
/// Normalisation statistics of log-mel spectrograms (SPEC §6.1): population mean and standard deviation over
/// every bin and frame of the sampled clips. Encoders consume <c>(x − Mean) / Std</c>.
/// </summary>
public sealed record NormStats(double Mean, double Std)
{
    /// <summary>Throws <see cref="ByolAException"/> unless both values are finite and Std is positive.</summary>
    public NormStats Validate()
    {
        if (!double.IsFinite(Mean) || !double.IsFinite(Std) || Std <= 0)
            throw new ByolAException($"normalisation stats must be finite with a positive std (got mean {Mean}, std {Std})");
        return this;
    }

    /// <summary><c>(x − Mean) / Std</c>, any shape, on x's device.</summary>
    public Tensor Normalise(Tensor x) => (x - Mean).div_(Std);

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
