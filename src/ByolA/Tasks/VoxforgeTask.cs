using ByolA.Data;
using System.Globalization;
using ByolA.Progress;
using CsvHelper;
using CsvHelper.Configuration;

namespace ByolA.Tasks;

/// <summary>
/// VoxForge language identification (de en es fr it ru). The root holds extracted session folders (each with
/// wav/ and etc/README), at any depth. The language comes from the README's <c>Language:</c> line, else from the
/// session or archive folder names; the speaker from <c>User Name:</c> (anonymous sessions count as their own
/// speaker). The split is by speaker, so no speaker is in two splits: per language a seeded 80/10/10 draw of
/// speakers, or the user's split CSV (<c>split</c> plus <c>speaker</c> or <c>file_name</c> columns).
/// </summary>
internal sealed class VoxforgeTask : IDownstreamTask
{
    static readonly Dictionary<string, string> LanguageNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["de"] = "de", ["german"] = "de", ["deutsch"] = "de",
        ["en"] = "en", ["english"] = "en",
        ["es"] = "es", ["spanish"] = "es", ["español"] = "es", ["espanol"] = "es",
        ["fr"] = "fr", ["french"] = "fr", ["français"] = "fr", ["francais"] = "fr",
        ["it"] = "it", ["italian"] = "it", ["italiano"] = "it",
        ["ru"] = "ru", ["russian"] = "ru",
    };

    public string Name => "voxforge";
    public string Description => "VoxForge language identification, 6 languages (176438 clips)";
    public double UnitSec => 5.8;
    public OfficialCounts Official { get; } = new(176438, 6);

    sealed record Clip(string FileName, string Source, string Language, string Speaker);

    public TaskBuild Build(string datasetRoot, PreprocessOptions options, IProgressReporter progress, CancellationToken ct)
    {
        var sessions = Directory.EnumerateDirectories(datasetRoot, "wav", SearchOption.AllDirectories)
            .Select(w => Path.GetDirectoryName(w)!)
            .Order(StringComparer.Ordinal)
            .ToList();
        // Some VoxForge archives ship flac/ instead of wav/; this toolkit reads WAV only.
        int flacOnly = Directory.EnumerateDirectories(datasetRoot, "flac", SearchOption.AllDirectories)
            .Count(f => !Directory.Exists(Path.Combine(Path.GetDirectoryName(f)!, "wav")));
        if (sessions.Count == 0)
            throw new ByolAException($"{datasetRoot}: no VoxForge session folders (SESSION/wav/*.wav) found" +
                                     (flacOnly > 0 ? $" ({flacOnly} hold FLAC only: convert them to SESSION/wav/*.wav first, e.g. with sox)" : "") +
                                     "; extract the per-language archives below this folder");
        var clips = new List<Clip>();
        var notes = new List<string>();
        int skipped = 0;
        using (var task = progress.Start($"{Name}: reading sessions", sessions.Count))
        {
            foreach (var session in sessions)
            {
                ct.ThrowIfCancellationRequested();
                var (language, speaker) = Describe(datasetRoot, session);
                if (language == null) { skipped++; task.Advance(); continue; }
                foreach (var wav in DatasetFiles.Wavs(Path.Combine(session, "wav")))
                    clips.Add(new Clip(DatasetFiles.Relative(datasetRoot, wav), wav, language, speaker));
                task.Advance();
            }
        }
        if (flacOnly > 0) notes.Add($"{Name}: skipped {flacOnly} session(s) holding FLAC only; convert them to SESSION/wav/*.wav (e.g. with sox) to include them");
        if (skipped > 0) notes.Add($"{Name}: skipped {skipped} session(s) whose language is not one of de en es fr it ru");
        if (clips.Count == 0) throw new ByolAException($"{datasetRoot}: no clips in de en es fr it ru found");

        var splitOf = options.SplitCsv != null ? ReadSplitCsv(options.SplitCsv, clips) : SplitBySpeaker(clips, options.Seed);
        var rows = clips.Select(c => new MetadataRow(c.FileName, c.Language, splitOf(c))).ToList();
        var files = clips.Select(c => new TaskFile(c.Source, c.FileName)).ToList();
        return new TaskBuild(new TaskMetadata(rows), files, [], notes);
    }

    (string? Language, string Speaker) Describe(string root, string session)
    {
        string? language = null, speaker = null;
        var readme = Path.Combine(session, "etc", "README");
        if (File.Exists(readme))
            foreach (var line in File.ReadLines(readme))
            {
                var (key, value) = SplitLine(line);
                if (key == "language" && language == null) language = Language(value);
                else if (key == "user name" && value.Length > 0 && !value.Equals("anonymous", StringComparison.OrdinalIgnoreCase)) speaker = value;
            }
        var sessionName = Path.GetFileName(session);
        if (language == null)
        {
            // Archive or folder names such as "de", "German" or "en-anonymous-2008..." carry the language.
            foreach (var part in Path.GetRelativePath(root, session).Split(Path.DirectorySeparatorChar).Reverse())
            {
                language = Language(part) ?? part.Split('-', '_', '.').Select(Language).FirstOrDefault(l => l != null);
                if (language != null) break;
            }
            if (language == null && Language(Path.GetFileName(Path.GetFullPath(root))) is { } rootLanguage) language = rootLanguage;
        }
        if (speaker == null)
        {
            var first = sessionName.Split('-')[0];
            speaker = first.Length == 0 || first.Equals("anonymous", StringComparison.OrdinalIgnoreCase) ? sessionName : first;
        }
        return (language, speaker);
    }

    static (string Key, string Value) SplitLine(string line)
    {
        int colon = line.IndexOf(':');
        return colon < 0 ? ("", "") : (line[..colon].Trim().ToLowerInvariant(), line[(colon + 1)..].Trim());
    }

    static string? Language(string text) => LanguageNames.TryGetValue(text.Trim(), out var code) ? code : null;

    static Func<Clip, string> SplitBySpeaker(List<Clip> clips, int seed)
    {
        var rng = new Random(seed);
        var split = new Dictionary<(string, string), string>();
        foreach (var language in clips.GroupBy(c => c.Language).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var speakers = language.Select(c => c.Speaker).Distinct().Order(StringComparer.Ordinal).ToArray();
            rng.Shuffle(speakers);
            int n = speakers.Length;
            int held = n >= 3 ? Math.Max(1, (int)Math.Round(n * 0.1)) : 0;
            for (int i = 0; i < n; i++)
                split[(language.Key, speakers[i])] = i < held ? Splits.Test : i < 2 * held ? Splits.Valid : Splits.Train;
        }
        return c => split[(c.Language, c.Speaker)];
    }

    static Func<Clip, string> ReadSplitCsv(string path, List<Clip> clips) =>
        CsvErrors.Read(path, "read the split CSV", () => ReadSplitCsvRows(path, clips));

    static Func<Clip, string> ReadSplitCsvRows(string path, List<Clip> clips)
    {
        var byKey = new Dictionary<string, string>(StringComparer.Ordinal);
        bool bySpeaker;
        using (var reader = new StreamReader(path))
        using (var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim }))
        {
            csv.Read();
            csv.ReadHeader();
            var header = csv.HeaderRecord!;
            bySpeaker = header.Contains("speaker");
            if (!header.Contains("split") || (!bySpeaker && !header.Contains("file_name")))
                throw new ByolAException($"{path}: a split CSV needs a 'split' column and a 'speaker' or 'file_name' column");
            while (csv.Read())
            {
                var text = csv.GetField("split");
                var split = Splits.Normalise(text) ?? throw new ByolAException($"{path}:{csv.Parser.Row}: split '{text}' must be train, valid or test");
                byKey[csv.GetField(bySpeaker ? "speaker" : "file_name")!] = split;
            }
        }
        var missing = clips.Where(c => !byKey.ContainsKey(bySpeaker ? c.Speaker : c.FileName)).Select(c => bySpeaker ? c.Speaker : c.FileName).Distinct().ToList();
        if (missing.Count > 0)
            throw new ByolAException($"{path}: {missing.Count} {(bySpeaker ? "speakers" : "files")} have no split, e.g. {string.Join(", ", missing.Take(3))}");
        return c => byKey[bySpeaker ? c.Speaker : c.FileName];
    }
}
