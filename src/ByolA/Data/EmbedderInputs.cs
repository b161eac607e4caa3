using ByolA.Data;

namespace ByolA.Data;

/// <summary>Turns command-line inputs (files and folders) into the list of audio files to embed.</summary>
internal static class EmbedderInputs
{
    /// <summary>
    /// Files as given, folders as every audio file below them (<see cref="AudioFileFinder"/>: recursive,
    /// sorted by path, hidden files skipped — the same rule as convert-wav and train). A file reached more than once
    /// (given twice, inside a folder also given, or through another path or a symbolic link: the same real path) gets
    /// one row, at its first occurrence, and <paramref name="warn"/> says how many duplicates were dropped.
    /// A missing input, or a folder without audio files, is an error.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs, Action<string>? warn = null)
    {
        var result = new List<string>();
        var seen = new Dictionary<string, string>(FilePaths.Comparison == StringComparison.Ordinal ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
        var realFolders = new Dictionary<string, string>(StringComparer.Ordinal);
        int dropped = 0;
        string? example = null;
        void Add(string file)
        {
            var real = RealFile(file, realFolders);
            if (seen.TryAdd(real, file)) result.Add(file);
            else
            {
                dropped++;
                example ??= seen[real] == file ? $"{file} given again" : $"{file} is {seen[real]}";
            }
        }
        foreach (var input in inputs)
        {
            if (File.Exists(input))
            {
                Data.InputFile.RequireRegular(input);
                Add(input);
            }
            else if (Directory.Exists(input))
            {
                var wavs = AudioFileFinder.Find(input, warn);
                if (wavs.Count == 0) throw new ByolAException($"{input}: folder holds no audio files ({string.Join(", ", AudioFormats.All.Select(e => "." + e))})");
                foreach (var f in wavs) Add(f);
            }
            else
            {
                throw new ByolAException($"{input}: no such file or folder");
            }
        }
        if (result.Count == 0) throw new ByolAException("no input audio files given");
        if (dropped > 0)
            warn?.Invoke($"{dropped} duplicate input(s) dropped, one row per file ({example}{(dropped > 1 ? ", …" : "")}); {result.Count} file(s) remain");
        return result;
    }

    /// <summary>The real path of a file: its folder's real path (cached per folder), the file's own link resolved.</summary>
    static string RealFile(string file, Dictionary<string, string> realFolders)
    {
        var full = Path.GetFullPath(file);
        var folder = Path.GetDirectoryName(full) ?? full;
        if (!realFolders.TryGetValue(folder, out var realFolder)) realFolders[folder] = realFolder = FilePaths.Real(folder);
        var candidate = Path.Combine(realFolder, Path.GetFileName(full));
        return new FileInfo(candidate).LinkTarget != null ? FilePaths.Real(candidate) : candidate;
    }
}
