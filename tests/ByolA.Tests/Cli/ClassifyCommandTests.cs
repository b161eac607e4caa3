using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using ByolA.Cli;
using ByolA.Data;
using ByolA.Models;
using ByolA.Probe;
using ByolA.Tasks;
using ByolA.Tests.Probe;
using ByolA.Tests.Support;
using ByolA.Weights;
using static ByolA.Tests.Support.CliRunner;

namespace ByolA.Tests.Cli;

/// <summary>evaluate --save-model, then classify and ByolAClassifier on the same clips; and every bad classifier file.</summary>
public class ClassifyCommandTests
{
    static string RandomWeights(TempDir dir, string name = "rand.pth", int seed = 5, int d = 512)
    {
        TorchSharp.torch.manual_seed(seed);
        using (var model = new AudioNTT2020(64, d)) EncoderWeights.Save(model, dir.File(name));
        return dir.File(name);
    }

    /// <summary>Evaluates <paramref name="metadata"/> with <paramref name="extra"/> flags, saving the classifier; returns its path and the printed runs.</summary>
    static (string Classifier, string Output) EvaluateAndSave(TempDir dir, string metadata, string task, params string[] extra)
    {
        var weights = RandomWeights(dir);
        var saved = dir.File(task + ".byolac");
        var (code, output, err) = Run(["evaluate", weights, task, "1.0", "2", "--metadata", metadata, "--audio-dir", dir.File("audio"),
            "--work", dir.File("work"), "--results", dir.File("results"), "--epochs", "40", "--device", "cpu", "--save-model", saved, .. extra]);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains($"classifier:         {saved}", output);
        return (saved, output);
    }

    [Fact]
    public void Classify_on_the_evaluated_test_clips_reproduces_the_saved_runs_accuracy()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, train: 6, valid: 2, test: 5);
        var (saved, output) = EvaluateAndSave(dir, metadata, "tones", "--hidden", "16");
        // The first of the two printed runs is run 0, the saved one.
        var run0 = double.Parse(System.Text.RegularExpressions.Regex.Match(output, @"\[(\d+\.\d\d) ").Groups[1].Value, CultureInfo.InvariantCulture);

        var m = TaskMetadata.Read(metadata);
        var test = m.Rows.Where(r => r.Split == Splits.Test).ToList();
        var (code, text, err) = Run(["classify", saved, .. test.Select(r => dir.File("audio/" + r.FileName)), "--top", "2", "--out", dir.File("labels.csv"), "--device", "cpu"]);
        Assert.True(code == ExitCodes.Ok, err);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains(": class")).ToList();
        Assert.Equal(test.Count, lines.Count);
        Assert.All(lines, l => Assert.Equal(2, l.Split(", ").Length));
        var top1 = lines.Select(l => l.Split(": ")[1].Split(' ')[0]).ToList();
        double accuracy = 100.0 * test.Zip(top1).Count(p => p.First.Label == p.Second) / test.Count;
        Assert.Equal(run0, Math.Round(accuracy, 2));

        // The CSV holds the same: two rows per file, ranks 1 and 2, probabilities in [0, 1] and descending.
        var csv = File.ReadAllLines(dir.File("labels.csv"));
        Assert.Equal("file,start_sec,end_sec,rank,label,probability", csv[0]);
        Assert.Equal(2 * test.Count, csv.Length - 1);
        Assert.Equal(top1, csv.Skip(1).Where(l => l.Split(',')[3] == "1").Select(l => l.Split(',')[4]));

        // The C# API gives the same top labels, and its file records the score evaluate measured.
        using var classifier = ByolAClassifier.Load(saved);
        Assert.Equal(["class0", "class1", "class2"], classifier.Classes);
        Assert.False(classifier.MultiLabel);
        Assert.Equal(run0, Math.Round(classifier.File.TestScore!.Value * 100, 2));
        var api = test.Select(r => classifier.Classify(AudioLoader.LoadMono(dir.File("audio/" + r.FileName), 16000), 16000)).ToList();
        Assert.Equal(top1, api.Select(a => a[0].Label));
        Assert.All(api, a => Assert.Equal(1.0, a.Sum(s => s.Score), 5));
    }

    [Fact]
    public void A_multi_label_classifier_reproduces_its_map_and_windows_cover_a_long_recording()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.WriteMultiLabel(dir.Path);
        var (saved, _) = EvaluateAndSave(dir, metadata, "mixes");
        using var classifier = ByolAClassifier.Load(saved);
        Assert.True(classifier.MultiLabel);
        var m = TaskMetadata.Read(metadata);
        var test = Enumerable.Range(0, m.Rows.Count).Where(i => m.Rows[i].Split == Splits.Test).ToList();
        var p = classifier.Probabilities(test.Select(i => AudioLoader.LoadMono(dir.File("audio/" + m.Rows[i].FileName), 16000)).ToList(), 16000);
        var targets = new bool[test.Count, 3];
        for (int t = 0; t < test.Count; t++)
            foreach (var label in m.LabelsOf(test[t])) targets[t, m.Classes.ToList().IndexOf(label)] = true;
        Assert.Equal(classifier.File.TestScore!.Value, RankingMetrics.Compute(p, targets).MeanAveragePrecision, 4);

        // A 2.5 s recording in 1 s windows: 0–1, 1–2 and one ending with the file, 1.5–2.5.
        var long_ = new float[40000];
        for (int i = 0; i < long_.Length; i++) long_[i] = (float)(0.1 * Math.Sin(2 * Math.PI * 1000 * i / 16000));
        WavFile.WritePcm16(dir.File("long.wav"), long_, 16000);
        var (code, _, err) = Run("classify", saved, dir.File("long.wav"), "--timestamps", "--out", dir.File("w.json"), "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        var items = JsonNode.Parse(File.ReadAllText(dir.File("w.json")))!["items"]!.AsArray();
        Assert.Equal([(0.0, 1.0), (1.0, 2.0), (1.5, 2.5)], items.Select(i => ((double)i!["start_sec"]!, (double)i["end_sec"]!)));
        Assert.Equal("multi-label", (string?)JsonNode.Parse(File.ReadAllText(dir.File("w.json")))!["kind"]);
    }

    /// <summary>A saved classifier with one entry replaced by <paramref name="edit"/>.</summary>
    static string Tamper(TempDir dir, string saved, string name, Action<ZipArchive> edit)
    {
        var copy = dir.File(name);
        File.Copy(saved, copy);
        using (var zip = ZipFile.Open(copy, ZipArchiveMode.Update)) edit(zip);
        return copy;
    }

    static void EditManifest(ZipArchive zip, Action<JsonObject> change)
    {
        var entry = zip.GetEntry(ClassifierFile.ManifestName)!;
        JsonObject manifest;
        using (var s = entry.Open()) manifest = JsonNode.Parse(s)!.AsObject();
        change(manifest);
        entry.Delete();
        using var w = zip.CreateEntry(ClassifierFile.ManifestName).Open();
        JsonSerializer.Serialize(w, manifest);
    }

    [Fact]
    public void Bad_classifier_files_are_one_line_each()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, train: 3, valid: 1, test: 2);
        var (saved, _) = EvaluateAndSave(dir, metadata, "tones");
        var other = RandomWeights(dir, "other.pth", seed: 9);
        var wav = dir.File("audio/c0/000.wav");
        File.WriteAllText(dir.File("notes.txt"), "not a classifier");
        var cases = new (string File, string Expected)[]
        {
            (dir.File("notes.txt"), "not a byola classifier (not a zip archive"),
            (dir.File("rand.pth"), "not a byola classifier (no classifier.json inside)"),
            (dir.File("missing.byolac"), "classifier file not found"),
            (Tamper(dir, saved, "swapped.byolac", zip =>
            {
                zip.GetEntry("encoder.pth")!.Delete();
                zip.CreateEntryFromFile(other, "encoder.pth");
            }), "the head was trained on"),
            (Tamper(dir, saved, "stats.byolac", zip => EditManifest(zip, m => m["stats"]!["weights_sha256"] = new string('0', 64))),
                "its normalisation stats were computed for another model's weights"),
            (Tamper(dir, saved, "unit.byolac", zip => EditManifest(zip, m => m["unit_sec"] = -1.0)), "unit_sec -1 is outside"),
            (Tamper(dir, saved, "format.byolac", zip => EditManifest(zip, m => m["format"] = "something-else")), "not a byola classifier"),
            (Tamper(dir, saved, "head.byolac", zip => zip.GetEntry("layers.0.weight.npy")!.Delete()), "layers.0.weight.npy is missing inside the classifier"),
        };
        foreach (var (file, expected) in cases)
        {
            var (code, _, err) = Run("classify", file, wav, "--device", "cpu");
            Assert.True(code == ExitCodes.Failure, $"{file}: exit {code}, {err}");
            var errors = err.Split('\n').Where(l => l.StartsWith("error:")).ToList();
            Assert.Single(errors);
            Assert.Contains(file, errors[0]);
            Assert.Contains(expected, errors[0]);
        }
    }

    [Theory]
    [InlineData("--top", "0", "--top must be in 1..")]
    [InlineData("--out", "x.txt", "--out 'x.txt' must end in .csv or .json")]
    [InlineData("--hop", "0.5", "--hop goes with --timestamps")]
    public void Bad_flags_are_usage_errors_naming_the_flag(string flag, string value, string expected)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("c.byolac"), "x");
        var (code, _, err) = Run("classify", dir.File("c.byolac"), dir.File("c.byolac"), flag, value, "--device", "cpu");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, err);
    }
}
