namespace ByolA.Evaluation;

/// <summary>How clips longer than the unit length are cut down to it.</summary>
public enum EmbedderCrop
{
    /// <summary>The middle unit-length segment (deterministic; the default for embeddings).</summary>
    Centre,

    /// <summary>A uniformly random start, seeded per file from the options' seed, as the original evaluation does.</summary>
    Random,
}
