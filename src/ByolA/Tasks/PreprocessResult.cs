namespace ByolA.Tasks;

/// <summary>
/// What <see cref="TaskPreprocessor.Run"/> did: the metadata written, the audio folder, how many files were
/// converted now versus already there from an earlier run, clips cut, and the count warnings.
/// </summary>
public sealed record PreprocessResult(
    string Task,
    string MetadataPath,
    string AudioDir,
    int Rows,
    int Classes,
    int Converted,
    int AlreadyConverted,
    int SlicesWritten,
    IReadOnlyList<string> Warnings);
