using ByolA.Runtime;
using ByolA.Data;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace ByolA.Data;

/// <summary>
/// The one way clips get from WAV files to tensors, for training, embedding and normalisation statistics: for each
/// batch of file indices, decode the files in parallel and fit each to the unit length — zero-padded when shorter,
/// cropped when longer, where a crop reads only the bytes of its own frames (a 10 s file costs one unit of I/O, not
/// ten) — then stack them as a (B, unit_samples) float32 <see cref="ClipBatch"/>, optionally prepared further by the
/// consumer (e.g. log-mel as a pinned tensor), all on a background task that runs up to <see cref="ClipSourceOptions.PrefetchBatches"/> batches ahead of the
/// consumer. A random crop's start comes from a generator derived from (seed, epoch, file index), never from thread
/// timing, so a batch is the same however the workers are scheduled and a resumed run repeats an uninterrupted one.
/// Unreadable files are left out and listed (<see cref="ClipSourceOptions.SkipUnreadable"/>) or stop the source.
/// </summary>
internal sealed class ClipSource
{
    readonly IReadOnlyList<string> files;
    readonly ClipSourceOptions options;
    readonly Action<string>? warn;
    readonly ConcurrentDictionary<int, string> unreadable = new();
    readonly ConcurrentDictionary<int, float[]> decoded = new();
    long decodedBytes;
    int sizeNotes;

    /// <param name="files">The files, addressed by index in every batch.</param>
    /// <param name="options">Rate, unit length, crop, workers, prefetch, skip policy.</param>
    /// <param name="warn">Receives the first header-size note (a WAV written to a pipe) and nothing after it.</param>
    public ClipSource(IReadOnlyList<string> files, ClipSourceOptions options, Action<string>? warn = null)
    {
        this.files = files;
        this.options = options.Validate();
        this.warn = warn;
    }

    public IReadOnlyList<string> Files => files;

    public ClipSourceOptions Options => options;

    /// <summary>Files that failed so far, "path: reason", in file order.</summary>
    public IReadOnlyList<string> Unreadable => unreadable.OrderBy(kv => kv.Key).Select(kv => kv.Value).ToList();

    public int UnreadableCount => unreadable.Count;

    /// <summary>Files read to the end because their header's data size was a placeholder (see <see cref="WavLayout.Note"/>).</summary>
    public int SizeNotes => sizeNotes;

    /// <summary>Consecutive batches of up to <paramref name="batchSize"/> indices covering all files in order.</summary>
    public IReadOnlyList<int[]> InOrder(int batchSize) => Enumerable.Range(0, files.Count).Chunk(batchSize).ToList();

    /// <summary>
    /// The (unit_samples) clip of file <paramref name="index"/> in <paramref name="epoch"/>. Throws
    /// <see cref="ByolAException"/> "path: reason" for a file that cannot be read or is not mono at the sample rate.
    /// </summary>
    public float[] ReadClip(int index, int epoch)
    {
        var path = files[index];
        int unit = options.UnitSamples;
        try
        {
            using var handle = RiffWalker.Open(path);
            var format = AudioFormats.Detect(handle, path);
            if (format.Format != AudioFormat.Wav) return FitDecoded(index, epoch, path, format);
            var layout = WavFile.Layout(handle, path, Note);
            AudioLoader.Require(path, layout, options.SampleRate);
            int length = (int)layout.Frames;
            var clip = new float[unit];
            if (length >= unit)
            {
                // One rule whatever part is used: a float file with a NaN or infinity anywhere is unreadable, so a
                // centre crop (given stats) and a random one (the stats pass) cannot judge the same file differently.
                // PCM cannot hold such values; only float files longer than the unit are read whole for it.
                if (layout.IsFloat && length > unit) WavFile.RequireFinite(handle, path, layout);
                var rng = options.Crop == ClipCrop.Random ? CropRandom(options.Seed, epoch, index) : null;
                WavFile.ReadMono(handle, path, layout, length == unit ? 0 : UnitClip.CropStart(length, unit, rng), clip);
            }
            else
            {
                WavFile.ReadMono(handle, path, layout, 0, clip.AsSpan((unit - length) / 2, length));
            }
            return clip;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw IoErrors.Failure(path, "read", e);
        }
    }

    /// <summary>
    /// A compressed file's clip: decoded whole and made mono at the rate (<see cref="AudioLoader.DecodeMono"/>), kept for
    /// later epochs while <see cref="ClipSourceOptions.DecodedCacheBytes"/> allows, then cropped or padded as a WAV is.
    /// </summary>
    float[] FitDecoded(int index, int epoch, string path, AudioFormatInfo format)
    {
        if (!decoded.TryGetValue(index, out var samples))
        {
            samples = AudioLoader.DecodeMono(path, format, options.SampleRate, options.Convert);
            long bytes = 4L * samples.Length;
            if (Interlocked.Add(ref decodedBytes, bytes) <= options.DecodedCacheBytes) decoded.TryAdd(index, samples);
            else Interlocked.Add(ref decodedBytes, -bytes);
        }
        int unit = options.UnitSamples, length = samples.Length;
        var clip = new float[unit];
        if (length >= unit)
        {
            var rng = options.Crop == ClipCrop.Random ? CropRandom(options.Seed, epoch, index) : null;
            samples.AsSpan(length == unit ? 0 : UnitClip.CropStart(length, unit, rng), unit).CopyTo(clip);
        }
        else samples.CopyTo(clip.AsSpan((unit - length) / 2));
        return clip;
    }

    /// <summary>The crop generator of file <paramref name="index"/> in <paramref name="epoch"/>.</summary>
    public static Random CropRandom(long seed, int epoch, int index) =>
        new(unchecked((int)SeededRandom.Derive(seed, epoch, index).NextULong()));

    void Note(string note)
    {
        if (Interlocked.Increment(ref sizeNotes) == 1)
            warn?.Invoke(note + " (later files like it are read the same way without a further warning)");
    }

    /// <summary>
    /// One batch: decode and fit in parallel, then stack. Failed files are left out and listed, or throw the first
    /// one's error in file order.
    /// </summary>
    public ClipBatch Load(int[] indices, int epoch, CancellationToken ct = default)
    {
        int unit = options.UnitSamples;
        var clips = new float[indices.Length][];
        var errors = new string?[indices.Length];
        Parallel.For(0, indices.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Workers, CancellationToken = ct }, k =>
        {
            try { clips[k] = ReadClip(indices[k], epoch); }
            catch (ByolAException e) { errors[k] = e.Message; }
        });
        var failed = new List<(int, string)>();
        var kept = new List<int>(indices.Length);
        for (int k = 0; k < indices.Length; k++)
        {
            if (errors[k] is { } error)
            {
                if (!options.SkipUnreadable) throw new ByolAException(error);
                unreadable.TryAdd(indices[k], error);
                failed.Add((indices[k], error));
            }
            else kept.Add(k);
        }
        var flat = new float[kept.Count * unit];
        for (int r = 0; r < kept.Count; r++) clips[kept[r]].CopyTo(flat, r * unit);
        return new ClipBatch(kept.Select(k => indices[k]).ToArray(), flat, unit, failed);
    }

    /// <summary>The <paramref name="batches"/> of one epoch in order, loaded ahead on a background task (see <see cref="Load"/>).</summary>
    public IEnumerable<ClipBatch> Batches(IReadOnlyList<int[]> batches, int epoch, CancellationToken ct = default) =>
        Batches(batches, epoch, batch => batch, ct);

    /// <summary>
    /// The <paramref name="batches"/> of one epoch in order, each loaded and then passed through <paramref name="prepare"/>
    /// on the background task (training turns it into a pinned log-mel tensor there, ahead of the model). The caller
    /// disposes what it receives; abandoning the enumeration stops the producer and disposes what it made.
    /// </summary>
    public IEnumerable<T> Batches<T>(IReadOnlyList<int[]> batches, int epoch, Func<ClipBatch, T> prepare, CancellationToken ct = default)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(options.PrefetchBatches) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var indices in batches)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    var item = prepare(Load(indices, epoch, stop.Token));
                    try { await channel.Writer.WriteAsync(item, stop.Token); }
                    catch { (item as IDisposable)?.Dispose(); throw; }
                }
                channel.Writer.Complete();
            }
            catch (Exception e) { channel.Writer.Complete(e); }
        });
        try
        {
            while (true)
            {
                T? next = default;
                bool got = false;
                try
                {
                    if (!channel.Reader.WaitToReadAsync(ct).AsTask().GetAwaiter().GetResult()) break;
                    got = channel.Reader.TryRead(out next);
                }
                catch (ChannelClosedException e) when (e.InnerException != null)
                {
                    ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                }
                if (got) yield return next!;
            }
            producer.GetAwaiter().GetResult();
        }
        finally
        {
            stop.Cancel();
            try { producer.Wait(); } catch (AggregateException) { }
            while (channel.Reader.TryRead(out var left)) (left as IDisposable)?.Dispose();
        }
    }
}
