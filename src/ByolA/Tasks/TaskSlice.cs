namespace ByolA.Tasks;

/// <summary>
/// A clip cut from a converted recording: samples [<paramref name="Start"/>, Start + Length) of
/// <paramref name="From"/> (a file name below work/16k/TASK) written as <paramref name="FileName"/>.
/// Used for the 12-class speech commands' <c>_silence_</c> class, cut from the background-noise recordings.
/// </summary>
public sealed record TaskSlice(string From, long Start, long Length, string FileName);
