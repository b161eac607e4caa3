namespace ByolA.Embedding;

/// <summary>What <c>byola embed</c> makes of each file.</summary>
public enum EmbedMode
{
    /// <summary>The file fitted to unit_sec (padded or cropped), one pooled embedding (or its frames).</summary>
    Clip,

    /// <summary>One embedding of the whole file: max + mean over all its frames, no crop or pad.</summary>
    Whole,

    /// <summary>Frame embeddings of the whole file with their centre times (or unit_sec windows every hop).</summary>
    Timestamps,
}
