namespace ByolA.Tasks;

/// <summary>
/// What a task's metadata builder found in a dataset: the metadata rows (file names relative to work/16k/TASK),
/// the audio files to convert, clips to cut from converted recordings, and notes for the user.
/// </summary>
public sealed record TaskBuild(
    TaskMetadata Metadata,
    IReadOnlyList<TaskFile> Files,
    IReadOnlyList<TaskSlice> Slices,
    IReadOnlyList<string> Notes)
{
    public TaskBuild(TaskMetadata metadata, IReadOnlyList<TaskFile> files) : this(metadata, files, [], []) { }
}
