using ByolA.Data;
using ByolA.Runtime;

namespace ByolA.Audio;

/// <summary>What <c>byola convert-wav FROM TO</c> does; see <see cref="WavConverter.Run"/>.</summary>
public sealed record ConvertWavOptions
{
    /// <summary>Source folder, searched recursively for audio files of <see cref="Extensions"/> (any letter case).</summary>
    public required string From { get; init; }

    /// <summary>Destination folder: same relative paths. Must not be FROM or lie inside it.</summary>
    public required string To { get; init; }

    /// <summary>Output sample rate in Hz (the config's sample_rate; 16000 by default).</summary>
    public int SampleRate { get; init; } = 16000;

    /// <summary>Files converted in parallel (default: the number of cores).</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// File extensions to convert (lower case, no dot), each one of <see cref="AudioFormats.All"/>; null: all of them.
    /// Which decoder reads a file is decided by its content, not by its extension.
    /// </summary>
    public IReadOnlyList<string>? Extensions { get; init; }

    /// <summary>Every extension convert-wav (and the other verbs' folder search) collects: wav, flac, mp3, ogg, oga, opus, then those ffmpeg reads.</summary>
    public static IReadOnlyList<string> AllExtensions => AudioFormats.All;

    /// <summary>Convert again even when an up-to-date output exists.</summary>
    public bool Overwrite { get; init; }

    /// <summary>
    /// Where the resampling runs: null or the CPU → <see cref="PolyphaseResampler"/> on the host (libtorch is not loaded);
    /// another torch device → <see cref="Resampler"/> on it. Audio is read and written on the host either way.
    /// </summary>
    public TorchSharp.torch.Device? Device { get; init; }

    /// <summary>
    /// Throws <see cref="OptionException"/> naming the first property whose value cannot work, or
    /// <see cref="ByolAException"/> for folders that are missing or overlap.
    /// </summary>
    public ConvertWavOptions Validate()
    {
        if (SampleRate <= 0) throw OptionException.Invalid(nameof(SampleRate), $"must be a positive number of Hz (got {SampleRate})");
        ResourceLimits.RequireThreads(nameof(Jobs), Jobs);
        if (Extensions is { Count: 0 }) throw OptionException.Invalid(nameof(Extensions), "must name at least one extension");
        if (Extensions?.FirstOrDefault(e => !AudioFormats.All.Contains(e.TrimStart('.').ToLowerInvariant())) is { } unknown)
            throw OptionException.Invalid(nameof(Extensions), $"names '{unknown}', which is not an audio extension read here ({string.Join(", ", AudioFormats.All)})");
        if (string.IsNullOrWhiteSpace(From)) throw OptionException.Invalid(nameof(From), "must name a folder");
        if (string.IsNullOrWhiteSpace(To)) throw OptionException.Invalid(nameof(To), "must name a folder");
        var from = Path.GetFullPath(From);
        var to = Path.GetFullPath(To);
        if (!Directory.Exists(from))
            throw new ByolAException(File.Exists(from) ? $"{From}: is a file; FROM must be a folder of audio files" : $"{From}: folder not found");
        // Compared as real paths (links resolved; for TO, its nearest existing ancestor's): a TO that is a link to FROM,
        // or a FROM reached through a link above TO, would otherwise let the outputs overwrite the originals.
        var fromReal = FilePaths.Real(from);
        var toReal = FilePaths.Real(to);
        if (FilePaths.IsSameOrInside(toReal, fromReal))
            throw new ByolAException($"TO ({To}) is {(FilePaths.IsSameOrInside(fromReal, toReal) ? "the same folder as" : "inside")} FROM ({From}); " +
                                     "convert-wav never writes into its source folder — choose a destination outside it");
        if (File.Exists(to)) throw new ByolAException($"{To}: is a file; TO must be a folder");
        return this;
    }
}
