using ByolA.Data;

namespace ByolA.Demo;

/// <summary>
/// The demo writes only into a folder it owns: one it creates, an empty one, or one that an earlier demo marked with
/// <see cref="MarkerName"/>. Anything else (a folder of the user's own files, a file) is refused before anything is
/// written, because the demo replaces <c>data/metadata.csv</c>, <c>checkpoints/</c> and <c>results/</c> without asking.
/// </summary>
internal static class DemoFolder
{
    /// <summary>The empty file that marks a folder as a demo's own.</summary>
    public const string MarkerName = ".byola-demo";

    /// <summary>
    /// Makes <paramref name="folder"/> the demo's (creating it and writing the marker) or throws a one-line
    /// <see cref="ByolAException"/> naming <paramref name="option"/> when it holds something the demo did not write.
    /// </summary>
    public static void Claim(string folder, string option)
    {
        if (File.Exists(folder))
            throw OptionException.Invalid(option, $"{folder} is a file, not a folder; give a new or empty folder");
        var marker = Path.Combine(folder, MarkerName);
        if (Directory.Exists(folder))
        {
            if (File.Exists(marker)) return;
            bool empty = IoErrors.Guard(folder, "read the folder", () => !Directory.EnumerateFileSystemEntries(folder).Any());
            if (!empty)
                throw OptionException.Invalid(option,
                    $"{folder} holds files that no demo wrote (it has no {MarkerName}), which the demo would overwrite; give a new or empty folder");
        }
        IoErrors.CreateFolder(folder, "create the demo folder");
        IoErrors.Guard(marker, "mark the demo folder", () => File.WriteAllBytes(marker, []));
    }
}
