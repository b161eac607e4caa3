namespace ByolA.Tasks;

/// <summary>The known downstream tasks, by name.</summary>
public static class TaskRegistry
{
    /// <summary>Every task <c>byola preprocess</c> and <c>byola evaluate</c> know, in benchmark order.</summary>
    public static IReadOnlyList<IDownstreamTask> All { get; } =
    [
        new Spcv2Task(), new Spcv2TwelveTask(), new Spcv1Task(), new Us8kTask(), new NsynthTask(),
        new Vc1Task(), new VoxforgeTask(), new FsdNoisy18kTask(), new Esc50Task(), new GtzanTask(), new CremaDTask(),
        new Fsd50kTask(), new As20kTask(),
    ];

    /// <summary>The known names, comma-separated, for messages and help.</summary>
    public static string KnownNames => string.Join(", ", All.Select(t => t.Name));

    /// <summary>The task called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static IDownstreamTask? Find(string name) =>
        All.FirstOrDefault(t => t.Name.Equals(name?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The task called <paramref name="name"/>; an unknown name is an <see cref="OptionException"/> blaming
    /// <paramref name="option"/> and listing the known ones.
    /// </summary>
    public static IDownstreamTask Get(string name, string option = "Task") =>
        Find(name) ?? throw OptionException.Invalid(option, $"'{name}' is not a known task; known tasks: {KnownNames}");
}
