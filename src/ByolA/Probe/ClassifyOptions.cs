using ByolA.Runtime;

namespace ByolA.Probe;

/// <summary>What <see cref="ClassifyJob.Run"/> classifies and how its answer is written. Call <see cref="Validate"/> first.</summary>
public sealed record ClassifyOptions
{
    /// <summary>A classifier file saved by evaluate (<see cref="EvaluateOptions.SaveModel"/>).</summary>
    public required string ClassifierPath { get; init; }

    /// <summary>Audio files and folders (every audio file below a folder), mono at the classifier's sample rate.</summary>
    public required IReadOnlyList<string> Inputs { get; init; }

    /// <summary>Labels reported per file (or per window), highest probability first.</summary>
    public int Top { get; init; } = 5;

    /// <summary>Where to write the answer as well: <c>.csv</c> or <c>.json</c>; null writes nothing.</summary>
    public string? OutPath { get; init; }

    /// <summary>
    /// Classify each file window by window rather than once: windows of the classifier's unit_sec every
    /// <see cref="HopSec"/> seconds (the last one ends with the file), for long recordings.
    /// </summary>
    public bool Timestamps { get; init; }

    /// <summary>Seconds between window starts with <see cref="Timestamps"/>; default the classifier's unit_sec (windows side by side).</summary>
    public double? HopSec { get; init; }

    public DeviceSpec Device { get; init; } = DeviceSpec.Cpu;

    /// <summary>A torch device already resolved by the caller; used instead of <see cref="Device"/>.</summary>
    public TorchSharp.torch.Device? TorchDevice { get; init; }

    /// <summary>The largest <see cref="Top"/> accepted.</summary>
    public const int MaxTop = 10000;

    /// <summary>Throws <see cref="OptionException"/> naming the first property that cannot work.</summary>
    public ClassifyOptions Validate()
    {
        if (Inputs.Count == 0) throw new OptionException("give at least one audio file or folder in {0}", nameof(Inputs));
        if (Top is <= 0 or > MaxTop) throw OptionException.Invalid(nameof(Top), $"must be in 1..{MaxTop} (got {Top})");
        if (HopSec is { } hop && !(hop > 0 && hop <= EvaluateOptions.MaxUnitSec))
            throw OptionException.Invalid(nameof(HopSec), $"must be in (0, {EvaluateOptions.MaxUnitSec}] seconds (got {hop})");
        if (HopSec != null && !Timestamps) throw new OptionException("{0} goes with {1}", nameof(HopSec), nameof(Timestamps));
        if (OutPath != null && ClassifyOutput.FormatOf(OutPath) == null)
            throw OptionException.Invalid(nameof(OutPath), $"'{OptionException.Escape(OutPath)}' must end in .csv or .json");
        return this;
    }
}
