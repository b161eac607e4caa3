namespace ByolA.Audio;

/// <summary>What a convert-wav run did.</summary>
/// <param name="Total">.wav files found (or given).</param>
/// <param name="Converted">Files written in this run.</param>
/// <param name="Skipped">Files whose complete output was already newer than the source.</param>
/// <param name="StaleTempFilesRemoved">Temp files of an interrupted earlier run that were deleted.</param>
/// <param name="Failures">Unreadable inputs (or unwritable outputs), in path order.</param>
public sealed record ConvertWavReport(int Total, int Converted, int Skipped, int StaleTempFilesRemoved, IReadOnlyList<ConvertWavFailure> Failures)
{
    /// <summary>Whether every file was converted or already up to date.</summary>
    public bool Succeeded => Failures.Count == 0;
}
