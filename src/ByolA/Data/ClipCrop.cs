namespace ByolA.Data;

/// <summary>How clips longer than the unit length are cut down to it.</summary>
public enum ClipCrop
{
    /// <summary>The middle unit-length segment (deterministic; the default for embeddings).</summary>
    Centre,

    /// <summary>A uniformly random start, drawn per file from (seed, epoch, file index), as training and the original evaluation do.</summary>
    Random,
}
