namespace ByolA.Tasks;

/// <summary>
/// An audio file a task needs: <paramref name="Source"/> (absolute, as distributed) becomes
/// <paramref name="FileName"/> below work/16k/TASK after conversion.
/// </summary>
public sealed record TaskFile(string Source, string FileName);
