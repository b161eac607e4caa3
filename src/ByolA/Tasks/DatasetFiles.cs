using ByolA.Data;

namespace ByolA.Tasks;

/// <summary>Checks shared by the metadata builders: required lists and folders, and listed audio that is missing.</summary>
internal static class DatasetFiles
{
    /// <summary>The absolute path of a list file that must exist; otherwise a one-line error naming it.</summary>
    public static string RequireFile(string root, string relative, string task)
    {
        var path = Path.Combine(root, relative);
        if (!File.Exists(path))
            throw new ByolAException($"{path}: not found; {task} needs this file from the original dataset (is {root} the dataset root?)");
        return path;
    }

    public static string RequireDir(string root, string relative, string task)
    {
        var path = Path.Combine(root, relative);
        if (!Directory.Exists(path))
            throw new ByolAException($"{path}: folder not found; {task} needs it from the original dataset (is {root} the dataset root?)");
        return path;
    }

    /// <summary>Throws when any listed source file is absent: the count and the first few names.</summary>
    public static void RequireAll(IReadOnlyList<TaskFile> files, string task, string listedIn)
    {
        var missing = files.Where(f => !File.Exists(f.Source)).Select(f => f.Source).ToList();
        if (missing.Count > 0)
            throw new ByolAException($"{task}: {missing.Count} of {files.Count} audio files listed in {listedIn} are missing, e.g. " +
                                     string.Join(", ", missing.Take(3)) + "; check that the dataset was extracted completely");
    }

    /// <summary>Relative path with forward slashes (metadata CSVs use '/' on every OS).</summary>
    public static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    /// <summary>The .wav files directly in <paramref name="dir"/>, by <see cref="AudioFileFinder"/>'s rule (sorted, hidden files skipped).</summary>
    public static IEnumerable<string> Wavs(string dir) => AudioFileFinder.Find(dir, recursive: false, extensions: ["wav"]);
}
