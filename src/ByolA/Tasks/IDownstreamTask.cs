using ByolA.Progress;

namespace ByolA.Tasks;

/// <summary>
/// A downstream benchmark task: how to read its dataset as distributed (the metadata builder) and how it is
/// evaluated (unit seconds; splits or leave-one-fold-out). Implementations are stateless.
/// </summary>
public interface IDownstreamTask
{
    /// <summary>The name used on the command line and in work/metadata/NAME.csv.</summary>
    string Name { get; }

    /// <summary>One line for help and error messages.</summary>
    string Description { get; }

    /// <summary>Clip length for evaluation (the EVAR convention for this task).</summary>
    double UnitSec { get; }

    /// <summary>
    /// True when clips carry several labels (SPEC §9: sigmoid outputs, mAP). A single-label task's metadata with a
    /// several-label cell is refused, since the cell is then more likely a label that contains a comma by mistake.
    /// </summary>
    bool MultiLabel => false;

    /// <summary>The published size, checked after building the metadata.</summary>
    OfficialCounts Official { get; }

    /// <summary>
    /// Reads the dataset below <paramref name="datasetRoot"/> and returns the metadata and the files to convert.
    /// Missing list files or listed audio are a <see cref="ByolAException"/>.
    /// </summary>
    TaskBuild Build(string datasetRoot, PreprocessOptions options, IProgressReporter progress, CancellationToken ct);
}
