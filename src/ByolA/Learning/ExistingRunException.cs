namespace ByolA.Learning;

/// <summary>
/// A training run was asked to write into a folder that holds another run's checkpoint (or its log, curves or weights). The ways out are options of
/// <see cref="TrainOptions"/>: resume that checkpoint (<see cref="TrainOptions.ResumeFrom"/>), replace it
/// (<see cref="TrainOptions.Overwrite"/>) or write elsewhere (<see cref="TrainOptions.OutputDir"/>); a front end
/// names them in its own terms (the CLI maps them to its flags).
/// </summary>
public sealed class ExistingRunException(string folder, bool resumingFromElsewhere, string file = TrainingCheckpoint.FileName)
    : ByolAException($"{folder}: holds {file} of another run, which this run would replace; " +
                     (file != TrainingCheckpoint.FileName ? "" : resumingFromElsewhere ? "resume from that checkpoint instead, " : "resume it (option ResumeFrom), ") +
                     "allow replacing it (option Overwrite) or choose another output folder (option OutputDir)")
{
    /// <summary>The output folder holding the other run's checkpoint.</summary>
    public string Folder { get; } = folder;

    /// <summary>The earlier run's file found there (<see cref="TrainingCheckpoint.FileName"/> when it holds one).</summary>
    public string File { get; } = file;

    /// <summary>Whether this run resumes from a checkpoint in another folder.</summary>
    public bool ResumingFromElsewhere { get; } = resumingFromElsewhere;
}
