using ByolA.Data;

namespace ByolA.Evaluation;

/// <summary>Turns command-line inputs (files and folders) into the list of audio files to embed.</summary>
public static class EmbedderInputs
{
    /// <summary>
    /// Files as given, folders as every <c>*.wav</c> below them (<see cref="AudioFileFinder"/>: recursive,
    /// sorted by path, hidden files skipped — the same rule as convert-wav and train). Duplicates
    /// are kept once, first occurrence wins. A missing input, or a folder without .wav files, is an error.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs, Action<string>? warn = null)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (File.Exists(input))
            {
                if (seen.Add(Path.GetFullPath(input))) result.Add(input);
            }
            else if (Directory.Exists(input))
            {
                var wavs = AudioFileFinder.Find(input, warn);
                if (wavs.Count == 0) throw new ByolAException($"{input}: folder holds no .wav files");
                foreach (var f in wavs)
                    if (seen.Add(Path.GetFullPath(f))) result.Add(f);
            }
            else
            {
                throw new ByolAException($"{input}: no such file or folder");
            }
        }
        if (result.Count == 0) throw new ByolAException("no input audio files given");
        return result;
    }
}
