using ByolA.Data;
using System.Collections.Concurrent;
using ByolA.Audio;
using ByolA.Progress;

namespace ByolA.Learning;

/// <summary>
/// Finds and checks the training audio before any computing starts: every audio file below the folder (sorted,
/// so runs are reproducible), each header read once. WAV files at another sample rate or with several channels stop
/// training with one message pointing at convert-wav; compressed files (FLAC, MP3, Ogg Vorbis, Opus, ffmpeg's formats)
/// are decoded and converted on the fly, so only their format is checked here. Files whose header cannot be read are
/// skipped, counted and listed, and more than the allowed fraction of them stops training.
/// </summary>
internal static class TrainingFiles
{
    /// <summary>All audio files (<see cref="AudioFormats.All"/>, any case) below <paramref name="folder"/>, ordinal order, temp files excluded.</summary>
    public static List<string> Find(string folder, Action<string>? warn = null)
    {
        if (!Directory.Exists(folder)) throw new ByolAException($"{folder}: audio folder not found");
        return AudioFileFinder.Find(folder, warn);
    }

    /// <summary>
    /// Checks <paramref name="files"/> (header only, in parallel) and returns the usable ones plus the skipped
    /// ones with reasons. Throws <see cref="ByolAException"/> for an empty list, any file in the wrong format, or
    /// too many unreadable files.
    /// </summary>
    public static (List<string> Usable, List<string> Unreadable) Check(IReadOnlyList<string> files, int sampleRate, string where,
        double maxUnreadableFraction, IProgressReporter progress, int threads, CancellationToken ct)
    {
        if (files.Count == 0)
            throw new ByolAException($"{where}: no .wav files found, nor other audio files (training needs {sampleRate} Hz mono WAV files or compressed audio: {string.Join(", ", AudioFormats.All.Select(e => "." + e))}; searched recursively)");
        var status = new (bool Ok, string? Problem, bool WrongFormat)[files.Count];
        using (var task = progress.Start($"checking {files.Count} audio files", files.Count))
        {
            Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = ct }, i =>
            {
                status[i] = Probe(files[i], sampleRate);
                task.Advance();
            });
        }
        var wrong = Enumerable.Range(0, files.Count).Where(i => status[i].WrongFormat).ToList();
        if (wrong.Count > 0)
            throw new ByolAException(
                $"{files[wrong[0]]}: {status[wrong[0]].Problem}" + (wrong.Count > 1 ? $" (and {wrong.Count - 1} more files not at {sampleRate} Hz mono)" : "") +
                $"; training needs {sampleRate} Hz mono WAV: run `byola convert-wav SOURCE DEST` first and train on DEST");
        var unreadable = Enumerable.Range(0, files.Count).Where(i => !status[i].Ok).Select(i => $"{files[i]}: {status[i].Problem}").ToList();
        EnforceLimit(unreadable, files.Count, maxUnreadableFraction);
        var usable = Enumerable.Range(0, files.Count).Where(i => status[i].Ok).Select(i => files[i]).ToList();
        if (usable.Count == 0) throw new ByolAException($"{where}: none of the {files.Count} audio files could be read");
        return (usable, unreadable);
    }

    /// <summary>Throws when more than <paramref name="maxFraction"/> of <paramref name="total"/> files failed.</summary>
    public static void EnforceLimit(IReadOnlyCollection<string> unreadable, int total, double maxFraction)
    {
        if (unreadable.Count > maxFraction * total)
            throw new ByolAException(
                $"{unreadable.Count} of {total} audio files cannot be read (more than {maxFraction:P0}), training stopped; first: " +
                string.Join("; ", unreadable.Take(3)) + ". Fix or remove them (or re-run convert-wav).");
    }

    /// <summary>
    /// A compressed file is decoded when its clips are read; here only what needs no decoding is checked: a FLAC
    /// header, and that a format only ffmpeg reads has ffmpeg to read it.
    /// </summary>
    static (bool Ok, string? Problem, bool WrongFormat) ProbeCompressed(string path, AudioFormatInfo format)
    {
        if (format.Format == AudioFormat.Other && AudioDecoder.NeedsMissingFfmpeg(path, format) is { } missing)
            return (false, missing, false);
        return (true, null, false);
    }

    static (bool Ok, string? Problem, bool WrongFormat) Probe(string path, int sampleRate)
    {
        try
        {
            var format = AudioFormats.Detect(path);
            if (format.Format != AudioFormat.Wav) return ProbeCompressed(path, format);
            var layout = RiffWalker.Read(path);
            if (layout.Channels != 1 || layout.SampleRate != sampleRate)
                return (false, $"{layout.SampleRate} Hz {AudioData.DescribeChannels(layout.Channels)}, expected {sampleRate} Hz mono", true);
            if (layout.Frames == 0) return (false, "no audio samples", false);
            return (true, null, false);
        }
        catch (ByolAException e)
        {
            return (false, e.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? e.Message[(path.Length + 2)..] : e.Message, false);
        }
    }
}
