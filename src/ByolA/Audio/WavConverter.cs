using ByolA.Data;
using System.Buffers;
using System.Collections.Concurrent;
using ByolA.Progress;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Audio;

/// <summary>
/// <c>byola convert-wav</c> as a library call (SPEC §2): every audio file below FROM (WAV, FLAC, MP3, Ogg Vorbis, Opus,
/// and through ffmpeg the rest of <see cref="AudioFormats.All"/>; decoded by content through <see cref="AudioDecoder"/>)
/// becomes a mono, resampled, 16-bit PCM file at the same relative path below TO, its extension changed to <c>.wav</c>. mono = mean over channels; resampling as torchaudio's default
/// <c>Resample</c> (<see cref="PolyphaseResampler"/> on the host, <see cref="Resampler"/> on a GPU); then <c>int16 = trunc(clamp(x · 32767))</c>.
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

        // A link below FROM that leads into TO (TO itself outside FROM) would make this run's outputs the next run's
        // inputs, nesting TO/lnk/out/… deeper on every rerun.
        var sources = AudioFileFinder.Find(from, w => progress.Message("warning: " + w), extensions: options.Extensions, outputFolder: FilePaths.Real(to));
        // A TO that cannot be written (a file on the way, read-only, no permission) is one line, not one per file.
        // Only TO itself is probed: options.Validate has checked its real path against FROM, not that of every subfolder.
        if (sources.Count > 0) AtomicFile.CheckWritable(Path.Combine(to, AtomicFile.TempMarker + "check"));
        var pairs = sources.Select(s => (s, Path.Combine(to, OutputName(Path.GetRelativePath(from, s))))).ToList();
        RefuseSharedOutputs(pairs);
        int stale = RemoveStaleTempFiles(to);
        if (stale > 0) progress.Message($"removed {stale} temporary file(s) left by an interrupted run in {options.To}");
        if (pairs.Count == 0) progress.Message($"no audio files ({string.Join(", ", options.Extensions ?? AudioFormats.All)}) found below {options.From}");
        var report = ConvertFiles(pairs, options.SampleRate, options.Jobs, options.Overwrite, progress, ct, options.Device, FilePaths.Real(from));
        return report with { StaleTempFilesRemoved = stale };
    }

    /// <summary>The output's relative path: the source's, with its extension changed to .wav (a .WAV keeps its name).</summary>
    static string OutputName(string relative) =>
        AudioFormats.ExtensionOf(relative) == "wav" ? relative : Path.ChangeExtension(relative, ".wav");

    /// <summary>
    /// Two sources whose outputs would be the same file (a.mp3 and a.flac both → a.wav; on a case-insensitive file system
    /// also A.wav and a.WAV) would overwrite one another: refused before anything is written, naming both.
    /// </summary>
    static void RefuseSharedOutputs(IReadOnlyList<(string Source, string Destination)> pairs)
    {
        var comparer = FilePaths.Comparison == StringComparison.Ordinal ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;
        var clashes = pairs.GroupBy(p => p.Destination, comparer).Where(g => g.Count() > 1).ToList();
        if (clashes.Count == 0) return;
        var first = clashes[0].Select(p => p.Source).ToList();
        throw new ByolAException($"{first[0]} and {string.Join(" and ", first.Skip(1))} would both be converted to {clashes[0].Key}" +
                                 (clashes.Count > 1 ? $" (and {clashes.Count - 1} more such output(s))" : "") +
                                 "; nothing was converted: rename or move one of them, or convert only one extension");
    }

    /// <summary>
    /// Converts explicit (source, destination) pairs, in parallel over <paramref name="jobs"/> workers. Destinations
    /// are written atomically; with <paramref name="overwrite"/> false, a destination that is a complete 16-bit mono
    /// file at <paramref name="sampleRate"/> and not older than its source is kept. Never writes inside
    /// <paramref name="protectedFolder"/> (the source tree of <see cref="Run"/>): such pairs are reported as failures.
    /// Resampling runs in managed code (<see cref="PolyphaseResampler"/>, libtorch is not loaded) unless
    /// <paramref name="device"/> is a non-CPU torch device, where <see cref="Resampler"/> runs on it.
    /// </summary>
    public static ConvertWavReport ConvertFiles(IReadOnlyList<(string Source, string Destination)> files, int sampleRate, int jobs,
        bool overwrite, IProgressReporter? progress = null, CancellationToken ct = default, Device? device = null, string? protectedFolder = null)
    {
        if (sampleRate <= 0) throw new ByolAException($"sample rate must be positive (got {sampleRate})");
        if (jobs <= 0) throw new ByolAException($"jobs must be at least 1 (got {jobs})");
        progress ??= NullProgressReporter.Instance;
        var resamplers = MakeResamplers(sampleRate, device);
        var failures = new ConcurrentBag<ConvertWavFailure>();
        var notes = new ConcurrentQueue<string>();
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
                    // Real paths: a link below TO that points into the source tree must not receive an output.
                    if (protectedFolder != null && FilePaths.IsSameOrInside(FilePaths.Real(destination), protectedFolder))
                        throw new ByolAException($"{source}: its output {destination} would be inside the source folder {protectedFolder}; not written");
                    if (!overwrite && IsUpToDate(source, destination, sampleRate))
                    {
                        Interlocked.Increment(ref skipped);
                        status = "skipped";
                    }
                    else
                    {
                        ConvertFile(source, destination, resamplers, notes.Enqueue);
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
            resamplers.Dispose();
        }
        WarnOnce(progress, notes);
        var sorted = failures.OrderBy(f => f.Source, StringComparer.Ordinal).ToList();
        return new ConvertWavReport(files.Count, converted, skipped, 0, sorted);
    }

    /// <summary>Converts one file (see the class summary). Read failures are <see cref="ByolAException"/>s naming the file.</summary>
    public static void ConvertFile(string source, string destination, int sampleRate, Device? device = null)
    {
        using var resamplers = MakeResamplers(sampleRate, device);
        ConvertFile(source, destination, resamplers);
    }

    /// <summary>One message for all the size notes of a run: the first in path order and how many more there were.</summary>
    internal static void WarnOnce(IProgressReporter progress, IEnumerable<string> notes)
    {
        var sorted = notes.Order(StringComparer.Ordinal).ToList();
        if (sorted.Count > 0)
            progress.Message("warning: " + sorted[0] + (sorted.Count > 1 ? $" (and {sorted.Count - 1} more file(s) like it)" : ""));
    }

    static void ConvertFile(string source, string destination, MonoResamplers resamplers, Action<string>? warn = null)
    {
        var format = AudioFormats.Detect(source);
        if (format.Format != AudioFormat.Wav)
        {
            var audio = AudioDecoder.Decode(source, format, warn);
            short[] converted;
            try { converted = ConvertAudio(audio, resamplers); }
            catch (ByolAException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal)) { throw new ByolAException($"{source}: {e.Message}", e); }
            WavFile.WritePcm16(destination, converted, resamplers.ToRate);
            return;
        }
        // Pooled buffers: a run over thousands of files then reuses the same memory instead of faulting in new pages.
        var mono = WavFile.RentMono(source, out int frames, out int fromRate, warn);
        float[]? resampled = null;
        short[]? pcm = null;
        try
        {
            ReadOnlySpan<float> samples = mono.AsSpan(0, frames);
            if (fromRate != resamplers.ToRate)
            {
                int length;
                try { length = resamplers.OutputLength(frames, fromRate); }
                catch (ByolAException e) { throw new ByolAException($"{source}: {e.Message}", e); }
                resampled = ArrayPool<float>.Shared.Rent(length);
                resamplers.Resample(samples, fromRate, resampled.AsSpan(0, length));
                samples = resampled.AsSpan(0, length);
            }
            pcm = ArrayPool<short>.Shared.Rent(samples.Length);
            WavFile.ToPcm16(samples, pcm.AsSpan(0, samples.Length));
            WavFile.WritePcm16(destination, pcm.AsMemory(0, samples.Length), resamplers.ToRate);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(mono);
            if (resampled != null) ArrayPool<float>.Shared.Return(resampled);
            if (pcm != null) ArrayPool<short>.Shared.Return(pcm);
        }
    }

    /// <summary>
    /// Mono (channel mean), resampled to <paramref name="sampleRate"/>, as 16-bit samples: on the host with
    /// <see cref="PolyphaseResampler"/>, or with <see cref="Resampler"/> on a non-CPU <paramref name="device"/>.
    /// </summary>
    public static short[] ConvertAudio(AudioData audio, int sampleRate, Device? device = null)
    {
        if (audio.SampleRate == sampleRate) return WavFile.ToPcm16(audio.ToMono());
        using var resamplers = MakeResamplers(sampleRate, device);
        return ConvertAudio(audio, resamplers);
    }

    /// <summary>As <see cref="ConvertAudio(AudioData, int, Device?)"/> through the torch path on any <paramref name="device"/>, CPU included (for tests).</summary>
    internal static short[] ConvertAudioWithTorch(AudioData audio, int sampleRate, Device device)
    {
        using var resamplers = TorchResamplers.Create(sampleRate, device);
        return ConvertAudio(audio, resamplers);
    }

    static short[] ConvertAudio(AudioData audio, MonoResamplers resamplers)
    {
        if (audio.SampleRate == resamplers.ToRate) return WavFile.ToPcm16(audio.ToMono());
        var mono = audio.ToMono();
        var resampled = new float[resamplers.OutputLength(mono.Length, audio.SampleRate)];
        resamplers.Resample(mono, audio.SampleRate, resampled);
        return WavFile.ToPcm16(resampled);
    }

    /// <summary>The CPU check reads only the device's managed fields, so choosing the managed path never loads libtorch.</summary>
    static MonoResamplers MakeResamplers(int sampleRate, Device? device) =>
        device == null || device.type == DeviceType.CPU ? new ManagedResamplers(sampleRate) : TorchResamplers.Create(sampleRate, device);

    /// <summary>One resampler per source rate, created on first use (thread-safe), to <see cref="ToRate"/>.</summary>
    abstract class MonoResamplers(int toRate) : IDisposable
    {
        public int ToRate { get; } = toRate;

        /// <summary>Output length for <paramref name="frames"/> samples at <paramref name="fromRate"/>; throws for an unsupported pair.</summary>
        public abstract int OutputLength(int frames, int fromRate);

        /// <summary>(N) mono samples at <paramref name="fromRate"/> → <paramref name="output"/> (exactly <see cref="OutputLength"/> samples).</summary>
        public abstract void Resample(ReadOnlySpan<float> mono, int fromRate, Span<float> output);

        public virtual void Dispose() { }
    }

    sealed class ManagedResamplers(int toRate) : MonoResamplers(toRate)
    {
        readonly ConcurrentDictionary<int, Lazy<PolyphaseResampler>> cache = new();

        PolyphaseResampler For(int fromRate) =>
            cache.GetOrAdd(fromRate, rate => new Lazy<PolyphaseResampler>(() => new PolyphaseResampler(rate, ToRate))).Value;

        public override int OutputLength(int frames, int fromRate) => checked((int)For(fromRate).OutputLength(frames));

        public override void Resample(ReadOnlySpan<float> mono, int fromRate, Span<float> output) => For(fromRate).Resample(mono, output);
    }

    /// <summary>Only this class touches TorchSharp, and only for a non-CPU device.</summary>
    sealed class TorchResamplers(int toRate, Device device) : MonoResamplers(toRate)
    {
        readonly ConcurrentDictionary<int, Lazy<Resampler>> cache = new();

        public static MonoResamplers Create(int toRate, Device device) => new TorchResamplers(toRate, device);

        Resampler For(int fromRate) => cache.GetOrAdd(fromRate, rate => new Lazy<Resampler>(() =>
        {
            var r = new Resampler(rate, ToRate);
            r.to(device);
            return r;
        })).Value;

        public override int OutputLength(int frames, int fromRate) => checked((int)For(fromRate).OutputLength(frames));

        public override void Resample(ReadOnlySpan<float> mono, int fromRate, Span<float> output)
        {
            var resampler = For(fromRate);
            using var scope = NewDisposeScope();
            var y = resampler.forward(tensor(mono.ToArray()).to(device)).cpu();
            y.data<float>().CopyTo(output);
        }

        public override void Dispose()
        {
            foreach (var r in cache.Values.Where(l => l.IsValueCreated)) r.Value.Dispose();
        }
    }

    /// <summary>
    /// Deletes the temp files that killed runs left below <paramref name="folder"/>; returns how many. Only those whose
    /// owner process is gone (<see cref="AtomicFile.IsStale"/>): another run converting into the same folder right now
    /// keeps its temporaries.
    /// </summary>
    static int RemoveStaleTempFiles(string folder) => AtomicFile.RemoveStaleTemps(folder, recursive: true);

    /// <summary>
    /// Whether <paramref name="destination"/> is a complete 16-bit mono PCM file at <paramref name="sampleRate"/> (header
    /// sizes agree with the file length) whose last write is not older than <paramref name="source"/>'s.
    /// </summary>
    public static bool IsUpToDate(string source, string destination, int sampleRate)
    {
        var dst = new FileInfo(destination);
        if (!dst.Exists || dst.LastWriteTimeUtc < File.GetLastWriteTimeUtc(source)) return false;
        WavLayout layout;
        try { layout = RiffWalker.Read(destination); }
        catch (ByolAException) { return false; }
        return layout is { IsFloat: false, Channels: 1, BitsPerSample: 16, SizesAgree: true } && layout.SampleRate == sampleRate
               && layout.DataOffset + layout.DataBytes == dst.Length;
    }
}
