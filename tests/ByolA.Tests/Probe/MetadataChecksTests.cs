using ByolA.Tests.Embedding;
using ByolA.Probe;
using ByolA.Cli;
using ByolA.Reports;
using ByolA.Tasks;
using ByolA.Tests.Support;
using static ByolA.Tests.Support.CliRunner;

namespace ByolA.Tests.Probe;

/// <summary>
/// Issue 11.18 and the CSV half of 11.16: evaluate warns about duplicated rows and train/test leakage before the long
/// work, refuses a single-class task, says when it carves a validation split; CSV syntax errors are one line with
/// the file and line.
/// </summary>
[Collection(ByolA.Tests.Learning.TorchRngCollection.Name)]
public class MetadataChecksTests
{
    static EvaluateOptions Options(TempDir dir, string weights, string metadata) => EvaluationSafetyTests.Options(dir, weights, metadata);

    static string WriteCsv(TempDir dir, string name, params string[] lines)
    {
        var path = dir.File(name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    [Fact]
    public void Duplicated_rows_and_a_file_in_train_and_test_are_warned_before_embedding()
    {
        using var dir = new TempDir();
        var clean = TaskMetadata.Read(ToneTask.Write(dir.Path, train: 2, valid: 1, test: 1));
        Assert.Empty(clean.Warnings());
        var lines = File.ReadAllLines(dir.File("tones.csv")).ToList();
        lines.Add("c0/000.wav,class0,train");     // the same row again
        lines.Add("c1/./001.wav,class1,test");    // a training clip, under another spelling, in test
        var metadata = WriteCsv(dir, "leaky.csv", [.. lines]);
        // Weights that fail to load: whatever is said before that is said before any embedding.
        File.WriteAllText(dir.File("w.pth"), "not weights");
        var progress = new RecordingProgress();
        Assert.Throws<ByolAException>(() => LinearEvaluation.Run(Options(dir, dir.File("w.pth"), metadata), progress));
        var warnings = progress.Messages.Where(m => m.StartsWith("warning: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains($"{metadata}: 1 file(s) listed more than once in the same split, e.g. c0/000.wav (2 rows in train); each row counts as a separate clip", warnings[0]);
        Assert.Contains($"{metadata}: 1 file(s) listed in both train and test, e.g. c1/001.wav: the probe is tested on clips it was trained on (leakage)", warnings[1]);
    }

    [Fact]
    public void A_file_in_two_folds_is_leakage_too()
    {
        var metadata = new TaskMetadata([
            new("a.wav", "x", Fold: 1), new("b.wav", "y", Fold: 1), new("a.wav", "x", Fold: 2), new("c.wav", "y", Fold: 2),
        ], "folds.csv");
        var warning = Assert.Single(metadata.Warnings());
        Assert.Equal("folds.csv: 1 file(s) listed in both fold 1 and fold 2, e.g. a.wav: the probe is tested on clips it was trained on (leakage), so the accuracy is too high; keep each file in one fold", warning);
    }

    [Fact]
    public void A_task_with_a_single_class_is_refused_in_one_line()
    {
        using var dir = new TempDir();
        ToneTask.Write(dir.Path, train: 2, valid: 1, test: 1);
        var metadata = WriteCsv(dir, "one.csv", "file_name,label,split", "c0/000.wav,dog,train", "c0/001.wav,dog,train", "c0/002.wav,dog,test");
        File.WriteAllText(dir.File("w.pth"), "not weights");
        var (code, _, err) = Run("evaluate", dir.File("w.pth"), "one", "--metadata", metadata, "--audio-dir", dir.File("audio"), "--device", "cpu");
        Assert.Equal(ExitCodes.Failure, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{metadata}: every row has the label 'dog'; a probe needs at least two classes", line);
    }

    [Fact]
    public void Carving_a_validation_split_from_train_is_said()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, train: 3, valid: 0, test: 1);
        using var encoder = EmbedderTestAudio.TinyEncoder(dir.File("w.pth"));
        var progress = new RecordingProgress();
        var result = LinearEvaluation.Run(Options(dir, dir.File("w.pth"), metadata) with { ResultsDir = null }, progress);
        Assert.Single(result.Accuracies);
        Assert.Contains(progress.Messages, m => m == $"validation: {metadata} has no valid split, so each run holds out a seeded 10% of the 9 training clips (holding every class) for early stopping and trains on the rest");

        // With a valid split nothing is carved, and nothing is said.
        using var other = new TempDir();
        var withValid = TaskMetadata.Read(ToneTask.Write(other.Path, train: 2, valid: 1, test: 1));
        Assert.Contains(withValid.Rows, r => r.Split == Splits.Valid);
        progress = new RecordingProgress();
        File.WriteAllText(other.File("w.pth"), "not weights");
        Assert.Throws<ByolAException>(() => LinearEvaluation.Run(Options(other, other.File("w.pth"), other.File("tones.csv")), progress));
        Assert.DoesNotContain(progress.Messages, m => m.StartsWith("validation:", StringComparison.Ordinal));
    }

    [Fact]
    public void With_one_training_clip_per_class_nothing_can_be_held_out_and_the_probe_trains_all_epochs()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, train: 1, valid: 0, test: 1);
        using var encoder = EmbedderTestAudio.TinyEncoder(dir.File("w.pth"));
        var progress = new RecordingProgress();
        var options = Options(dir, dir.File("w.pth"), metadata) with { ResultsDir = null, Probe = new ProbeOptions { Epochs = 5 } };
        var result = LinearEvaluation.Run(options, progress);
        Assert.Single(result.Accuracies);
        Assert.Contains(progress.Messages, m => m == $"validation: {metadata} has no valid split and no class has two training clips to hold one out, so the probe trains all 5 epochs without early stopping");
    }

    [Theory]
    [InlineData("\"c0/000.wav,class0,train", 2, "a quote that is not closed")]
    [InlineData("c0/0\"00.wav,class0,train", 2, "a quote inside an unquoted field")]
    public void A_csv_syntax_error_in_metadata_names_the_file_and_line(string bad, int line, string expected)
    {
        using var dir = new TempDir();
        var rows = new List<string> { "file_name,label,split", bad };
        rows.AddRange(Enumerable.Range(0, 200).Select(i => $"c0/{i:D3}.wav,class{i % 2},train"));
        var path = WriteCsv(dir, "bad.csv", [.. rows]);
        var e = Assert.Throws<ByolAException>(() => TaskMetadata.Read(path));
        Assert.StartsWith($"{path}:", e.Message);
        Assert.Contains("not valid CSV", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(e.Message.Length < 400, e.Message);
        Assert.True(e.Message.StartsWith($"{path}:{line}: "), e.Message);
    }

    [Fact]
    public void A_short_line_in_metadata_names_the_line()
    {
        using var dir = new TempDir();
        var path = WriteCsv(dir, "short.csv", "file_name,label,split", "a.wav,x,train", "b.wav,y");
        var e = Assert.Throws<ByolAException>(() => TaskMetadata.Read(path));
        Assert.Equal($"{path}:3: 2 field(s), the header has 3; expected file_name,label,split on every line", e.Message);
    }

    [Fact]
    public void A_line_with_a_field_too_many_names_the_line()
    {
        using var dir = new TempDir();
        var path = WriteCsv(dir, "long.csv", "file_name,label,split", "a.wav,x,train,1", "b.wav,y,test");
        var e = Assert.Throws<ByolAException>(() => TaskMetadata.Read(path));
        Assert.Equal($"{path}:2: 4 field(s), the header has 3; expected file_name,label,split on every line", e.Message);
    }

    [Theory]
    [InlineData("b\0.wav,y,train", "file_name 'b\\x00.wav' holds a control character")]
    [InlineData("b.wav,\u001b[31my,train", "label '\\x1b[31my' holds a control character")]
    public void Control_characters_in_names_are_refused_and_shown_escaped(string row, string expected)
    {
        using var dir = new TempDir();
        var path = WriteCsv(dir, "ctl.csv", "file_name,label,split", "a.wav,x,train", row);
        var e = Assert.Throws<ByolAException>(() => TaskMetadata.Read(path));
        Assert.Contains($"{path}:3: {expected}", e.Message);
        Assert.DoesNotContain(e.Message, char.IsControl);
        // Binary bytes where the header should be are shown escaped too.
        File.WriteAllBytes(path, [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, (byte)'\n']);
        e = Assert.Throws<ByolAException>(() => TaskMetadata.Read(path));
        Assert.Contains("\\x7f", e.Message);
        Assert.DoesNotContain(e.Message, char.IsControl);
    }

    [Fact]
    public void A_scores_csv_with_a_syntax_error_names_the_file_and_line_and_is_left_alone()
    {
        using var dir = new TempDir();
        var path = WriteCsv(dir, "t-scores.csv", "run0,model,mean,std", "0.5,a,0.5,0", "0.5,\"b,0.5,0", "0.5,c,0.5,0");
        var before = File.ReadAllBytes(path);
        var e = Assert.Throws<ByolAException>(() => ScoresCsv.Append(path, "m", [0.9], 0.9, 0));
        Assert.True(e.Message.StartsWith($"{path}: exists but is not a scores CSV (CSV syntax error on line 3: a quote that is not closed)"), e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_metadata_path_that_is_a_folder_or_unreadable_is_one_line_with_the_reason()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("meta.csv"));
        Assert.Equal($"{dir.File("meta.csv")}: is a folder, not a metadata CSV; pass the file_name,label,split (or fold) CSV",
            Assert.Throws<ByolAException>(() => TaskMetadata.Read(dir.File("meta.csv"))).Message);

        var locked = WriteCsv(dir, "locked.csv", "file_name,label,split", "a.wav,x,train");
        File.SetUnixFileMode(locked, UnixFileMode.None);
        bool canStillRead;
        try { File.ReadAllBytes(locked); canStillRead = true; } catch (UnauthorizedAccessException) { canStillRead = false; }
        if (!canStillRead)   // root reads anything; elsewhere the OS refuses and says so
            Assert.Equal($"{locked}: cannot read the metadata (permission denied)", Assert.Throws<ByolAException>(() => TaskMetadata.Read(locked)).Message);
    }
}
