using ByolA.Data;
using System.Collections.Concurrent;
using System.Threading.Channels;
using ByolA.Audio;
using ByolA.Augmentations;
using ByolA.Configuration;
using static TorchSharp.torch;

namespace ByolA.Learning;

/// <summary>
/// The training input pipeline: for each batch of file indices, decode the WAVs and fit them to unit length in
/// parallel (random crop from a generator derived from seed, epoch and file, so the result does not depend on
/// thread timing), then compute the log-mel batch (B, 1, F, T) on the CPU — all on a background task that runs
/// up to <c>prefetch</c> batches ahead of the model. On CUDA the batches are pinned so the copy to the device
/// can overlap. Files that fail to decode are dropped from their batch and reported through
/// <see cref="Unreadable"/>.
/// </summary>
internal sealed class ClipBatchSource : IDisposable
{
    readonly IReadOnlyList<string> _files;
    readonly ByolAConfig _config;
    readonly LogMelSpectrogram _mel;
    readonly int _threads;
    readonly bool _pin;
    readonly ConcurrentDictionary<string, string> _unreadable = new();

    public ClipBatchSource(IReadOnlyList<string> files, ByolAConfig config, int threads, bool pin)
    {
        _files = files;
        _config = config;
        _threads = Math.Max(1, threads);
        _pin = pin;
        _mel = new LogMelSpectrogram(config);
        long frames = _mel.FramesFor(config.UnitSamples);
        if (frames != config.Shape[1])
            throw new ByolAException($"config: unit_sec {config.UnitSec} gives {frames} frames but shape says {config.Shape[1]}; make them agree (e.g. unit_sec 0.95 ↔ shape [64, 96])");
    }

    /// <summary>Files that failed to decode so far, "path: reason".</summary>
    public IReadOnlyCollection<string> Unreadable => _unreadable.Select(kv => $"{kv.Key}: {kv.Value}").ToList();

    public int UnreadableCount => _unreadable.Count;

    /// <summary>
    /// The batches of one epoch in order, each (B', 1, F, T) float32 on the CPU (B' ≤ B when files failed).
    /// The caller disposes each batch. Stops early (and stops the producer) when the enumeration is abandoned.
    /// </summary>
    public IEnumerable<Tensor> Batches(IReadOnlyList<int[]> batches, long seed, int epoch, int prefetch, CancellationToken ct)
    {
        var channel = Channel.CreateBounded<Tensor>(new BoundedChannelOptions(prefetch) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var indices in batches)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    var batch = Load(indices, seed, epoch, stop.Token);
                    try { await channel.Writer.WriteAsync(batch, stop.Token); }
                    catch { batch.Dispose(); throw; }
                }
                channel.Writer.Complete();
            }
            catch (Exception e) { channel.Writer.Complete(e); }
        });
        try
        {
            while (true)
            {
                Tensor? next = null;
                try
                {
                    if (!channel.Reader.WaitToReadAsync(ct).AsTask().GetAwaiter().GetResult()) break;
                    channel.Reader.TryRead(out next);
                }
                catch (ChannelClosedException e) when (e.InnerException != null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                }
                if (next is not null) yield return next;
            }
            producer.GetAwaiter().GetResult();
        }
        finally
        {
            stop.Cancel();
            try { producer.Wait(); } catch (AggregateException) { }
            while (channel.Reader.TryRead(out var left)) left.Dispose();
        }
    }

    /// <summary>One batch: decode + unit-clip in parallel, then log-mel. (B', 1, F, T) on the CPU.</summary>
    public Tensor Load(int[] indices, long seed, int epoch, CancellationToken ct)
    {
        int unit = _config.UnitSamples;
        var clips = new float[indices.Length][];
        Parallel.For(0, indices.Length, new ParallelOptions { MaxDegreeOfParallelism = _threads, CancellationToken = ct }, k =>
        {
            int index = indices[k];
            var path = _files[index];
            try
            {
                var wav = AudioLoader.LoadMono(path, _config.SampleRate);
                var rng = new Random(unchecked((int)SeededRandom.Derive(seed, epoch, index).NextULong()));
                clips[k] = UnitClip.Fit(wav, unit, rng);
            }
            catch (ByolAException e)
            {
                _unreadable.TryAdd(path, e.Message.StartsWith(path, StringComparison.Ordinal) ? e.Message[(path.Length + 1)..].Trim() : e.Message);
            }
        });
        var ok = clips.Where(c => c != null).ToArray();
        var flat = new float[ok.Length * unit];
        for (int k = 0; k < ok.Length; k++) Array.Copy(ok[k], 0, flat, k * unit, unit);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (ok.Length == 0) return zeros(0, 1, _config.NMels, _config.Shape[1]).MoveToOuterDisposeScope();
        var wave = tensor(flat, new long[] { ok.Length, unit });
        var lms = _mel.forward(wave).unsqueeze(1);   // (B', 1, F, T)
        if (_pin) lms = lms.pin_memory();
        return lms.MoveToOuterDisposeScope();
    }

    public void Dispose() => _mel.Dispose();
}
