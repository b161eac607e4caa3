namespace ByolA;

/// <summary>
/// Frame embeddings of several sounds with their times, as HEAR's <c>get_timestamp_embeddings</c> returns them:
/// <see cref="Embeddings"/>[i][t] is the d-wide embedding of frame t of sound i, centred at
/// <see cref="TimestampsMs"/>[i][t] milliseconds from the sound's start. Sounds of equal length have equal frame
/// counts (n, T, d) and (n, T); longer sounds have more frames.
/// </summary>
public sealed record TimestampEmbeddingResult(float[][][] Embeddings, float[][] TimestampsMs);
