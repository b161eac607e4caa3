namespace ByolA.Data;

/// <summary>The format of one file as its content shows it.</summary>
/// <param name="Format">The decoder that reads it.</param>
/// <param name="Name">A name for messages, e.g. "FLAC", "MP4/M4A (AAC?)" or "unknown (starts with 3C 68 74 6D)".</param>
internal sealed record AudioFormatInfo(AudioFormat Format, string Name);
