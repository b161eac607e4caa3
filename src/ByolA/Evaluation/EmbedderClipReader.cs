using ByolA.Data;
using ByolA.Audio;

namespace ByolA.Evaluation;

/// <summary>
/// Decodes and unit-clips audio files in parallel ahead of the consumer, delivering them in file order as batches.
/// A sliding window of at most <c>prefetch</c> decode tasks bounds memory; TorchSharp's DataLoader would decode
/// one file at a time on the consuming thread.
/// </summary>
internal sealed class EmbedderClipReader(int sampleRate, int unitSamples, EmbedderCrop crop, int seed)
{
    /// <summary>One decoded, unit-length clip, or why its file could not be read.</summary>
    internal readonly record struct Clip(int Index, float[]? Samples, string? Error);

    /// <summary>A batch of clips in file order: row-major (Count, unitSamples) samples and the files' indices.</summary>
    internal sealed record Batch(int[] Indices, float[] Samples, IReadOnlyList<(int Index, string Error)> Failed)
    {
        public int Count => Indices.Length;
    }

    /// <summary>The clip of file <paramref name="index"/>; read errors are returned, not thrown.</summary>
    public Clip Read(string path, int index)
    {
        try
        {
            var wav = AudioLoader.LoadMono(path, sampleRate);
            // A per-file generator keeps random crops reproducible whatever order the workers finish in.
            var rng = crop == EmbedderCrop.Random ? new Random(unchecked(seed * 1_000_003 + index)) : null;
            return new Clip(index, UnitClip.Fit(wav, unitSamples, rng), null);
        }
        catch (ByolAException e)
        {
            return new Clip(index, null, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Clip(index, null, $"{path}: cannot read ({e.Message})");
        }
    }

    /// <summary>
    /// Batches of up to <paramref name="batchSize"/> readable clips, in file order. Unreadable files appear in
    /// <see cref="Batch.Failed"/> of the batch where they would have been; a batch may hold only failures.
    /// </summary>
    public IEnumerable<Batch> Batches(IReadOnlyList<string> files, int batchSize, int workers, int prefetchBatches, CancellationToken ct)
    {
        int window = Math.Max(workers, batchSize * prefetchBatches);
        using var limiter = new SemaphoreSlim(workers);
        var pending = new Queue<Task<Clip>>();
        int next = 0;

        Task<Clip> Start(int i) => Task.Run(async () =>
        {
            await limiter.WaitAsync(ct).ConfigureAwait(false);
            try { return Read(files[i], i); }
            finally { limiter.Release(); }
        }, ct);

        try
        {
            while (next < files.Count && pending.Count < window) pending.Enqueue(Start(next++));
            var indices = new List<int>(batchSize);
            var samples = new List<float[]>(batchSize);
            var failed = new List<(int, string)>();
            while (pending.Count > 0)
            {
                ct.ThrowIfCancellationRequested();
                var clip = pending.Dequeue().GetAwaiter().GetResult();
                if (next < files.Count) pending.Enqueue(Start(next++));
                if (clip.Samples == null) failed.Add((clip.Index, clip.Error!));
                else { indices.Add(clip.Index); samples.Add(clip.Samples); }
                if (indices.Count == batchSize || (pending.Count == 0 && (indices.Count > 0 || failed.Count > 0)))
                {
                    var flat = new float[samples.Count * unitSamples];
                    for (int r = 0; r < samples.Count; r++) samples[r].CopyTo(flat, r * unitSamples);
                    yield return new Batch([.. indices], flat, [.. failed]);
                    indices.Clear();
                    samples.Clear();
                    failed.Clear();
                }
            }
        }
        finally
        {
            // Abandoned on error or cancellation: let in-flight decodes finish so the limiter is not disposed under them.
            foreach (var t in pending) try { t.Wait(); } catch (Exception) { }
        }
    }
}
