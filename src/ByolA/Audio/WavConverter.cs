using System.Collections.Concurrent;
using System.Buffers.Binary;
using ByolA.Progress;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Audio;

/// <summary>
/// <c>byola convert-wav</c> as a library call (SPEC §2): every <c>*.wav</c> below FROM becomes a mono, resampled,
/// 16-bit PCM file at the same relative path below TO. mono = mean over channels; resampling as torchaudio's default
/// <c>Resample</c> (<see cref="Resampler"/>); then <c>int16 = trunc(clamp(x · 32767))</c>.
/// Each output is written under a temporary name and renamed, so an interrupted run leaves no partial outputs; a rerun
/// skips outputs that are complete and not older than their source, and removes temp files an interrupted run left.
/// Unreadable inputs are collected in the report while every good file is still converted.
/// </summary>
public static class WavConverter
{
    /// <summary>Converts the tree FROM → TO. Throws <see cref="ByolAException"/> for bad options, <see cref="OperationCanceledException"/> when cancelled.</summary>
    public static ConvertWavReport Run(ConvertWavOptions options, IProgressReporter? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        progress ??= NullProgressReporter.Instance;
        var from = Path.GetFullPath(options.From);
        var to = Path.GetFullPath(options.To);

        var sources = FindWavFiles(from);
        var pairs = sources.Select(s => (s, Path.Combine(to, Path.GetRelativePath(from, s)))).ToList();
        int stale = RemoveStaleTempFiles(to);
        if (stale > 0) progress.Message($"removed {stale} temporary file(s) left by an interrupted run in {options.To}");
        if (pairs.Count == 0) progress.Message($"no .wav files found below {options.From}");
        var report = ConvertFiles(pairs, options.SampleRate, options.Jobs, options.Overwrite, progress, ct, options.Device, from);
        return report with { StaleTempFilesRemoved = stale };
    }

    /// <summary>
    /// Converts explicit (source, destination) pairs, in parallel over <paramref name="jobs"/> workers. Destinations
    /// are written atomically; with <paramref name="overwrite"/> false, a destination that is a complete 16-bit mono
    /// file at <paramref name="sampleRate"/> and not older than its source is kept. Never writes inside
    /// <paramref name="protectedFolder"/> (the source tree of <see cref="Run"/>): such pairs are reported as failures.
    /// </summary>
    public static ConvertWavReport ConvertFiles(IReadOnlyList<(string Source, string Destination)> files, int sampleRate, int jobs,
        bool overwrite, IProgressReporter? progress = null, CancellationToken ct = default, Device? device = null, string? protectedFolder = null)
    {
        if (sampleRate <= 0) throw new ByolAException($"sample rate must be positive (got {sampleRate})");
        if (jobs <= 0) throw new ByolAException($"jobs must be at least 1 (got {jobs})");
        progress ??= NullProgressReporter.Instance;
        var resamplers = new ConcurrentDictionary<int, Lazy<Resampler>>();
        var failures = new ConcurrentBag<ConvertWavFailure>();
        int converted = 0, skipped = 0;
        try
        {
            using var task = progress.Start("convert-wav", files.Count);
            Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = ct }, pair =>
            {
                var (source, destination) = pair;
                string status;
                try
                {
                    if (protectedFolder != null && IsSameOrInside(Path.GetFullPath(destination), protectedFolder))
                        throw new ByolAException($"{source}: its output {destination} would be inside the source folder {protectedFolder}; not written");
                    if (!overwrite && IsUpToDate(source, destination, sampleRate))
                    {
                        Interlocked.Increment(ref skipped);
                        status = "skipped";
                    }
                    else
                    {
                        ConvertFile(source, destination, sampleRate, resamplers, device);
                        Interlocked.Increment(ref converted);
                        status = "converted";
                    }
                }
                catch (ByolAException e)
                {
                    failures.Add(new ConvertWavFailure(source, e.Message));
                    status = "failed";
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    failures.Add(new ConvertWavFailure(source, $"{destination}: cannot write ({e.Message.TrimEnd('.')})"));
                    status = "failed";
                }
                task.Advance(1, $"{Path.GetFileName(source)} {status}");
            });
        }
        finally
        {
            foreach (var r in resamplers.Values.Where(l => l.IsValueCreated)) r.Value.Dispose();
        }
        var sorted = failures.OrderBy(f => f.Source, StringComparer.Ordinal).ToList();
        return new ConvertWavReport(files.Count, converted, skipped, 0, sorted);
    }

    /// <summary>Converts one file (see the class summary). Read failures are <see cref="ByolAException"/>s naming the file.</summary>
    public static void ConvertFile(string source, string destination, int sampleRate, Device? device = null)
    {
        var resamplers = new ConcurrentDictionary<int, Lazy<Resampler>>();
        try { ConvertFile(source, destination, sampleRate, resamplers, device); }
        finally { foreach (var r in resamplers.Values.Where(l => l.IsValueCreated)) r.Value.Dispose(); }
    }

    static void ConvertFile(string source, string destination, int sampleRate, ConcurrentDictionary<int, Lazy<Resampler>> resamplers, Device? device)
    {
        var audio = WavFile.Read(source);
        Resampler? resampler = null;
        try
        {
            if (audio.SampleRate != sampleRate)
                resampler = resamplers.GetOrAdd(audio.SampleRate, rate => new Lazy<Resampler>(() => MakeResampler(rate, sampleRate, device))).Value;
        }
        catch (ByolAException e)
        {
            throw new ByolAException($"{source}: {e.Message}", e);
        }
        WavFile.WritePcm16(destination, ToPcm16(audio, resampler, device), sampleRate);
    }

    /// <summary>Mono (channel mean), resampled to <paramref name="sampleRate"/>, as 16-bit samples.</summary>
    public static short[] ConvertAudio(AudioData audio, int sampleRate, Device? device = null)
    {
        if (audio.SampleRate == sampleRate) return ToPcm16(audio, null, device);
        using var resampler = MakeResampler(audio.SampleRate, sampleRate, device);
        return ToPcm16(audio, resampler, device);
    }

    static Resampler MakeResampler(int from, int to, Device? device)
    {
        var r = new Resampler(from, to);
        if (device != null && device.type != DeviceType.CPU) r.to(device);
        return r;
    }

    static short[] ToPcm16(AudioData audio, Resampler? resampler, Device? device)
    {
        var mono = audio.ToMono();
        if (resampler == null) return WavFile.ToPcm16(mono);
        using var scope = NewDisposeScope();
        var x = tensor(mono);
        if (device != null && device.type != DeviceType.CPU) x = x.to(device);
        var y = resampler.forward(x).cpu();
        return WavFile.ToPcm16(y.data<float>().ToArray());
    }

    /// <summary>
    /// Every <c>*.wav</c> (any letter case) below <paramref name="folder"/>, recursively, in ordinal path order. Hidden
    /// files and folders (dot names on Unix, such as macOS "._x.wav" resource forks) are skipped.
    /// </summary>
    public static List<string> FindWavFiles(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, MatchCasing = MatchCasing.CaseInsensitive, IgnoreInaccessible = true };
        var files = Directory.EnumerateFiles(folder, "*.wav", options)
            .Where(f => f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase)) // "*.wav" alone would also match "x.wavx" on Windows
            .ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>Deletes temp files <see cref="AtomicFile"/> left below <paramref name="folder"/> for .wav outputs; returns how many.</summary>
    static int RemoveStaleTempFiles(string folder)
    {
        if (!Directory.Exists(folder)) return 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
        int removed = 0;
        foreach (var file in Directory.EnumerateFiles(folder, "*" + AtomicFile.TempMarker + "*", options))
        {
            var name = Path.GetFileName(file);
            int marker = name.LastIndexOf(AtomicFile.TempMarker, StringComparison.Ordinal);
            if (marker < 0 || !name[..marker].EndsWith(".wav", StringComparison.OrdinalIgnoreCase)) continue;
            try { File.Delete(file); removed++; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return removed;
    }

    /// <summary>
    /// Whether <paramref name="destination"/> is a complete 16-bit mono PCM file at <paramref name="sampleRate"/> (header
    /// sizes agree with the file length) whose last write is not older than <paramref name="source"/>'s.
    /// </summary>
    public static bool IsUpToDate(string source, string destination, int sampleRate)
    {
        var dst = new FileInfo(destination);
        if (!dst.Exists || dst.Length < 44) return false;
        if (dst.LastWriteTimeUtc < File.GetLastWriteTimeUtc(source)) return false;
        Span<byte> header = stackalloc byte[44];
        try
        {
            using var stream = new FileStream(destination, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            if (stream.ReadAtLeast(header, 44, throwOnEndOfStream: false) < 44) return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
        return header[..4].SequenceEqual("RIFF"u8) && header[8..16].SequenceEqual("WAVEfmt "u8) && header[36..40].SequenceEqual("data"u8)
            && BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) == dst.Length - 8
            && BinaryPrimitives.ReadUInt16LittleEndian(header[20..]) == 1
            && BinaryPrimitives.ReadUInt16LittleEndian(header[22..]) == 1
            && BinaryPrimitives.ReadUInt32LittleEndian(header[24..]) == (uint)sampleRate
            && BinaryPrimitives.ReadUInt16LittleEndian(header[34..]) == 16
            && BinaryPrimitives.ReadUInt32LittleEndian(header[40..]) == dst.Length - 44;
    }

    /// <summary>Whether full path <paramref name="path"/> is <paramref name="folder"/> or below it.</summary>
    public static bool IsSameOrInside(string path, string folder)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var p = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var f = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        return p.Equals(f, comparison) || p.StartsWith(f + Path.DirectorySeparatorChar, comparison);
    }
}
