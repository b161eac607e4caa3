using ByolA.Data;
using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using ByolA.Audio;

namespace ByolA.Tasks;

/// <summary>
/// A task's metadata CSV (<c>file_name,label[,split|fold]</c>), read and written with CsvHelper. File names are
/// relative to the task's audio folder; one that is absolute or climbs out with <c>..</c> is rejected on read.
/// </summary>
public sealed class TaskMetadata
{
    public IReadOnlyList<MetadataRow> Rows { get; }

    /// <summary>True when rows carry folds (leave-one-fold-out evaluation) rather than splits.</summary>
    public bool HasFolds { get; }

    /// <summary>The file this was read from, for messages (null when built in memory).</summary>
    public string? Source { get; }

    public TaskMetadata(IReadOnlyList<MetadataRow> rows, string? source = null) : this(rows, source, false) { }

    /// <param name="rows">The rows, in file order.</param>
    /// <param name="source">The file they were read from, for messages.</param>
    /// <param name="multiLabel">Treat the task as multi-label even when no cell holds several labels (a known multi-label
    /// task whose copy happens to hold single labels only is still scored by mAP).</param>
    internal TaskMetadata(IReadOnlyList<MetadataRow> rows, string? source, bool multiLabel)
    {
        if (rows.Count == 0) throw new ByolAException($"{source ?? "metadata"}: no rows");
        HasFolds = rows[0].Fold != null;
        foreach (var r in rows)
            if ((r.Fold != null) != HasFolds || (r.Split == null) != HasFolds)
                throw new ByolAException($"{source ?? "metadata"}: row '{r.FileName}' must have a split or a fold like the others, not both or neither");
        Rows = rows;
        Source = source;
        MultiLabel = multiLabel || rows.Any(r => r.Label.Contains(LabelSeparator));
        labels = rows.Select(r => SplitLabel(r, source)).ToArray();
        Classes = labels.SelectMany(l => l).Distinct().Order(StringComparer.Ordinal).ToList();
        Folds = HasFolds ? rows.Select(r => r.Fold!.Value).Distinct().Order().ToList() : [];
    }

    /// <summary>Separates the labels of a multi-label cell (<c>"dog,bark"</c>, quoted in the CSV; SPEC §9).</summary>
    public const char LabelSeparator = ',';

    readonly string[][] labels;

    /// <summary>
    /// True when some label cell holds several labels (SPEC §9): the task is multi-label, every row's cell is a set of
    /// labels (a cell with one label is a set of one) and classes are the distinct single labels.
    /// </summary>
    public bool MultiLabel { get; }

    /// <summary>The labels of row <paramref name="row"/>: one for single-label tasks, one or more otherwise.</summary>
    public IReadOnlyList<string> LabelsOf(int row) => labels[row];

    /// <summary>The sorted distinct labels (single labels of multi-label cells); class index i is <c>Classes[i]</c>.</summary>
    public IReadOnlyList<string> Classes { get; }

    static string[] SplitLabel(MetadataRow row, string? source)
    {
        if (!row.Label.Contains(LabelSeparator)) return [row.Label];
        var parts = row.Label.Split(LabelSeparator).Select(p => p.Trim()).ToArray();
        if (parts.Any(p => p.Length == 0))
            throw new ByolAException($"{source ?? "metadata"}: row '{row.FileName}' has the label cell '{row.Label}' with an empty label between commas; " +
                                     "write the labels as \"a,b\" with no empty part");
        return parts.Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The sorted distinct folds (empty for split tasks).</summary>
    public IReadOnlyList<int> Folds { get; }

    /// <summary>
    /// What makes an evaluation on these rows misleading without making it impossible, one line each: a file listed
    /// more than once in the same split or fold (it counts as several clips), and a file listed in two splits or folds
    /// (leakage: the probe is scored on clips it was trained on). <paramref name="files"/> identifies each row's file
    /// (e.g. its resolved path, so <c>a/./x.wav</c> and <c>a/x.wav</c> are one file); by default the file name.
    /// </summary>
    public IReadOnlyList<string> Warnings(IReadOnlyList<string>? files = null)
    {
        string where = Source ?? "metadata";
        var comparer = FilePaths.Comparison == StringComparison.Ordinal ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;
        var groups = Rows.Select((r, i) => (Row: r, File: files?[i] ?? r.FileName))
            .GroupBy(p => p.File, comparer).Where(g => g.Count() > 1).ToList();
        string Part(MetadataRow r) => HasFolds ? $"fold {r.Fold}" : r.Split!;
        var warnings = new List<string>();
        var repeated = groups.Where(g => g.GroupBy(p => Part(p.Row)).Any(s => s.Count() > 1)).ToList();
        if (repeated.Count > 0)
        {
            var first = repeated[0].GroupBy(p => Part(p.Row)).First(s => s.Count() > 1);
            var labels = first.Select(p => p.Row.Label).Distinct().ToList();
            warnings.Add($"{where}: {repeated.Count} file(s) listed more than once in the same {(HasFolds ? "fold" : "split")}, e.g. {first.First().Row.FileName} " +
                         $"({first.Count()} rows in {first.Key}{(labels.Count > 1 ? ", labelled " + string.Join(" and ", labels) : "")}); each row counts as a separate clip");
        }
        int Order(MetadataRow r) => HasFolds ? r.Fold!.Value : Array.IndexOf([Splits.Train, Splits.Valid, Splits.Test], r.Split);
        var spread = groups.Select(g => (g, Parts: g.OrderBy(p => Order(p.Row)).Select(p => Part(p.Row)).Distinct().ToList()))
            .Where(x => x.Parts.Count > 1).ToList();
        foreach (var pair in spread.GroupBy(x => string.Join(" and ", x.Parts)))
        {
            var example = pair.First().g.First().Row.FileName;
            bool tested = HasFolds || pair.First().Parts.Contains(Splits.Test);
            warnings.Add($"{where}: {pair.Count()} file(s) listed in both {pair.Key}, e.g. {example}: " +
                         (tested ? "the probe is tested on clips it was trained on (leakage), so the accuracy is too high" : "the same clip trains the probe and decides when it stops") +
                         "; keep each file in one " + (HasFolds ? "fold" : "split"));
        }
        return warnings;
    }

    /// <summary>
    /// Reads a metadata CSV with a header holding <c>file_name</c>, <c>label</c> and <c>split</c> or <c>fold</c>
    /// (other columns are ignored). Throws <see cref="ByolAException"/> naming the file and the bad row.
    /// </summary>
    public static TaskMetadata Read(string path)
    {
        if (Directory.Exists(path))
            throw new ByolAException($"{path}: is a folder, not a metadata CSV; pass the file_name,label,split (or fold) CSV");
        if (!File.Exists(path))
            throw new ByolAException($"{path}: metadata file not found; run 'byola preprocess TASK DATASET_ROOT' first, or give your own task's metadata CSV");
        return CsvErrors.Read(path, "read the metadata", () => ReadRows(path));
    }

    static TaskMetadata ReadRows(string path)
    {
        var rows = new List<MetadataRow>();
        using var reader = InputFile.OpenText(path, InputFile.MaxCsvBytes, "a metadata CSV");
        using var csv = new CsvReader(reader, CsvErrors.Strict(new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim }, path));
        if (!csv.Read() || !csv.ReadHeader())
            throw new ByolAException($"{path}: empty file; expected a header file_name,label,split (or fold)");
        var header = csv.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        int Col(string name) => Array.IndexOf(header, name);
        int fileCol = Col("file_name"), labelCol = Col("label"), splitCol = Col("split"), foldCol = Col("fold");
        if (fileCol < 0 || labelCol < 0 || (splitCol < 0 && foldCol < 0))
            throw new ByolAException($"{path}: header must have file_name, label and split or fold columns (got {CsvErrors.Shorten(string.Join(",", csv.HeaderRecord!))})");
        bool useFold = splitCol < 0;
        int needed = new[] { fileCol, labelCol, useFold ? foldCol : splitCol }.Max() + 1;
        int previousEnd = csv.Parser.RawRow;
        while (csv.Read())
        {
            var (line, multiline) = CsvErrors.Lines(csv.Parser, previousEnd);
            previousEnd = csv.Parser.RawRow;
            if (csv.Parser.Count < needed && multiline)
                throw new ByolAException($"{path}:{line}: not valid CSV (a quote that is not closed: the field runs on to line {csv.Parser.RawRow})");
            // Every row as wide as the header: a row with a field too many has its values shifted or a stray comma.
            if (csv.Parser.Count != header.Length)
                throw new ByolAException($"{path}:{line}: {csv.Parser.Count} field(s), the header has {header.Length}; expected {CsvErrors.Shorten(string.Join(",", csv.HeaderRecord!))} on every line");
            string file = csv.GetField(fileCol) ?? "", label = csv.GetField(labelCol) ?? "";
            if (file.Length == 0 || label.Length == 0)
                throw new ByolAException($"{path}:{line}: empty file_name or label");
            // NUL, escape sequences and other control characters make no file name or class name; binary garbage does.
            if (file.Any(char.IsControl) || label.Any(char.IsControl))
                throw new ByolAException($"{path}:{line}: {(file.Any(char.IsControl) ? "file_name" : "label")} '{CsvErrors.Shorten(file.Any(char.IsControl) ? file : label)}' holds a control character; is this a text CSV?");
            CheckRelative(file, $"{path}:{line}");
            if (useFold)
            {
                var text = csv.GetField(foldCol);
                if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var fold))
                    throw new ByolAException($"{path}:{line}: fold '{CsvErrors.Shorten(text)}' is not a whole number");
                rows.Add(new MetadataRow(file, label, Fold: fold));
            }
            else
            {
                var text = csv.GetField(splitCol);
                var split = Splits.Normalise(text)
                    ?? throw new ByolAException($"{path}:{line}: split '{CsvErrors.Shorten(text)}' must be train, valid (or val) or test");
                rows.Add(new MetadataRow(file, label, split));
            }
        }
        return new TaskMetadata(rows, path);
    }

    /// <summary>Writes the CSV atomically (temp file in the same folder, then rename), creating the folder.</summary>
    public void Write(string path)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
            csv.WriteField("file_name");
            csv.WriteField("label");
            csv.WriteField(HasFolds ? "fold" : "split");
            csv.NextRecord();
            foreach (var r in Rows)
            {
                csv.WriteField(r.FileName);
                csv.WriteField(r.Label);
                if (HasFolds) csv.WriteField(r.Fold!.Value);
                else csv.WriteField(r.Split);
                csv.NextRecord();
            }
        });
    }

    /// <summary>
    /// The absolute path of <paramref name="fileName"/> below <paramref name="audioDir"/>; throws when the name is
    /// absolute or resolves outside the folder.
    /// </summary>
    public static string Resolve(string audioDir, string fileName)
    {
        CheckRelative(fileName, "metadata");
        var root = Path.GetFullPath(audioDir);
        var full = Path.GetFullPath(Path.Combine(root, fileName));
        // Strictly below the root: the root itself is no audio file.
        if (!FilePaths.IsSameOrInside(full, root) || FilePaths.IsSameOrInside(root, full))
            throw new ByolAException($"metadata: file_name '{fileName}' resolves outside the audio folder {root}; file names must be relative paths below it");
        return full;
    }

    static void CheckRelative(string fileName, string where)
    {
        if (Path.IsPathRooted(fileName) || fileName.StartsWith('/') || fileName.StartsWith('\\'))
            throw new ByolAException($"{where}: file_name '{fileName}' is absolute; file names must be relative to the audio folder");
        var parts = fileName.Split('/', '\\');
        if (parts.Contains(".."))
            throw new ByolAException($"{where}: file_name '{fileName}' climbs out with '..'; file names must stay below the audio folder");
    }
}
