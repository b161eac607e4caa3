
using ByolA.Audio;
namespace ByolA.Embedding;

/// <summary>
/// An encoder with its log-mel front end, as one runtime runs it: mono waveforms at the config's sample rate in,
/// embeddings out, on host arrays (so an engine other than libtorch never loads it). Opened from a weights path by
/// <see cref="EmbeddingEngine.Open"/>; every job (embed, stats, evaluate, <see cref="ByolAModel"/>) runs over this
/// interface, so a new runtime is one new class here.
/// </summary>
internal interface IEmbeddingEngine : IDisposable
{
    /// <summary>The encoder kind as written in files (<see cref="ModelKind"/>'s spelling, e.g. "AudioNTT2020").</summary>
    string Architecture { get; }

    /// <summary>The runtime and weights, for a progress line (e.g. "AudioNTT2020 d=512 from w.pth").</summary>
    string Description { get; }

    /// <summary>Width d of one embedding and of one frame.</summary>
    int FeatureD { get; }

    /// <summary>Log-mel frames per output frame (8 for v1, 4 for v2).</summary>
    int FrameStride { get; }

    /// <summary>Normalisation stats the model carries itself (an exported model's), or null.</summary>
    NormStats? OwnStats { get; }

    /// <summary>What loading the weights noticed (e.g. a d in the file name that the weights contradict).</summary>
    IReadOnlyList<string> Warnings { get; }

    /// <summary>A new accumulator of the front end's log-mel moments, for a normalisation-stats pass.</summary>
    ILogMelMoments NewLogMelMoments();

    /// <summary>
    /// Clips (<paramref name="count"/>, <paramref name="samples"/>) row-major, normalised with <paramref name="stats"/>
    /// → pooled embeddings (count, d), or with <paramref name="frames"/> frame features (count, T', d).
    /// </summary>
    EmbeddingRows EmbedClips(float[] clips, int count, int samples, NormStats stats, bool frames);

    /// <summary>
    /// Frame embeddings of one sound of any length (zero-padded to the encoder's minimum), in order, as (t, d) pieces
    /// that together hold every frame (an engine may compute long sounds in chunks of bounded memory).
    /// </summary>
    IEnumerable<EmbeddingRows> FrameChunks(float[] sound, NormStats stats);

    /// <summary>One embedding (d) of a whole sound of any length: max plus mean over all its frames.</summary>
    float[] Whole(float[] sound, NormStats stats);
}
