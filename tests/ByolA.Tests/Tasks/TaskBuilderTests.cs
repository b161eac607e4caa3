using ByolA.Progress;
using ByolA.Tasks;
using ByolA.Tests.Support;

namespace ByolA.Tests.Tasks;

public class TaskBuilderTests
{
    static TaskBuild Build(string task, string root, PreprocessOptions? options = null) =>
        TaskRegistry.Get(task).Build(root, options ?? new PreprocessOptions { Task = task, DatasetRoot = root }, NullProgressReporter.Instance, default);

    static Dictionary<string, int> CountBy(TaskMetadata m, Func<MetadataRow, string> key) =>
        m.Rows.GroupBy(key).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void Spcv2_uses_the_lists_and_skips_background_noise()
    {
        using var dir = new TempDir();
        DatasetFixtures.SpeechCommands(dir.Path, ["yes", "no", "marvin"]);
        var build = Build("spcv2", dir.Path);
        var m = build.Metadata;
        Assert.Equal(9, m.Rows.Count);
        Assert.Equal(["marvin", "no", "yes"], m.Classes);
        Assert.Equal(new Dictionary<string, int> { ["train"] = 3, ["valid"] = 3, ["test"] = 3 }, CountBy(m, r => r.Split!));
        Assert.Contains(new MetadataRow("no/spk00000001_nohash_0.wav", "no", "valid"), m.Rows);
        Assert.DoesNotContain(m.Rows, r => r.FileName.Contains("_background_noise_"));
        Assert.All(build.Files, f => Assert.Equal(Path.Combine(dir.Path, f.FileName), f.Source));
        Assert.Empty(build.Slices);
    }

    [Fact]
    public void Spcv2_counts_that_differ_from_the_official_ones_name_the_difference()
    {
        using var dir = new TempDir();
        DatasetFixtures.SpeechCommands(dir.Path, ["yes", "no"]);
        var task = TaskRegistry.Get("spcv2");
        var diffs = task.Official.Differences("spcv2", Build("spcv2", dir.Path).Metadata);
        Assert.Contains("spcv2: 6 clips, the official dataset has 105829 (-105823)", diffs);
        Assert.Contains("spcv2: 2 classes, the official dataset has 35", diffs);
        Assert.Contains("spcv2: split 'valid' has 2 clips, the official one has 9981 (-9979)", diffs);
    }

    [Fact]
    public void Spcv2_missing_list_or_listed_clip_is_an_error()
    {
        using var dir = new TempDir();
        DatasetFixtures.SpeechCommands(dir.Path, ["yes", "no"]);
        File.AppendAllLines(Path.Combine(dir.Path, "testing_list.txt"), ["yes/gone_nohash_0.wav"]);
        var e = Assert.Throws<ByolAException>(() => Build("spcv2", dir.Path));
        Assert.Contains("1 listed clips are missing", e.Message);
        Assert.Contains("yes/gone_nohash_0.wav", e.Message);

        File.Delete(Path.Combine(dir.Path, "validation_list.txt"));
        e = Assert.Throws<ByolAException>(() => Build("spcv2", dir.Path));
        Assert.Contains("validation_list.txt: not found", e.Message);
    }

    [Fact]
    public void Spcv2_12_maps_other_words_to_unknown_and_cuts_silence_from_background_noise()
    {
        using var dir = new TempDir();
        DatasetFixtures.SpeechCommands(dir.Path, ["yes", "stop", "marvin", "sheila"], noiseSeconds: 2.5);
        var build = Build("spcv2-12", dir.Path);
        var m = build.Metadata;
        Assert.Equal(["_silence_", "_unknown_", "stop", "yes"], m.Classes);
        Assert.Equal(6, m.Rows.Count(r => r.Label == "_unknown_"));
        // Two 2.5 s recordings → two whole 1 s slices each, all in train (slice index mod 10 < 8).
        Assert.Equal(4, build.Slices.Count);
        Assert.Equal(new TaskSlice("_background_noise_/running_tap.wav", 16000, 16000, "_silence_/running_tap_0001.wav"), build.Slices[1]);
        Assert.Contains(new MetadataRow("_silence_/white_noise_0000.wav", "_silence_", "train"), m.Rows);
        Assert.Contains(build.Files, f => f.FileName == "_background_noise_/white_noise.wav");
        Assert.Contains(build.Notes, n => n.Contains("word clips"));
    }

    [Fact]
    public void Spcv1_reads_the_same_layout()
    {
        using var dir = new TempDir();
        DatasetFixtures.SpeechCommands(dir.Path, ["bed", "bird"], clipsPerWord: 4);
        var m = Build("spcv1", dir.Path).Metadata;
        Assert.Equal(8, m.Rows.Count);
        Assert.Equal(4, m.Rows.Count(r => r.Split == "train"));
    }

    [Fact]
    public void Us8k_rows_carry_folds_and_relative_names()
    {
        using var dir = new TempDir();
        DatasetFixtures.UrbanSound8K(dir.Path, ["dog_bark", "siren"], folds: 10);
        var build = Build("us8k", dir.Path);
        var m = build.Metadata;
        Assert.True(m.HasFolds);
        Assert.Equal(Enumerable.Range(1, 10), m.Folds);
        Assert.Contains(new MetadataRow("fold3/103-1-0-0.wav", "siren", Fold: 3), m.Rows);
        Assert.Equal(Path.Combine(dir.Path, "audio", "fold3", "103-1-0-0.wav"), build.Files.Single(f => f.FileName == "fold3/103-1-0-0.wav").Source);
        var diffs = TaskRegistry.Get("us8k").Official.Differences("us8k", m);
        Assert.Contains("us8k: split '4' has 2 clips, the official one has 990 (-988)", diffs);
    }

    [Fact]
    public void Us8k_missing_audio_is_counted_and_named()
    {
        using var dir = new TempDir();
        DatasetFixtures.UrbanSound8K(dir.Path, ["dog_bark", "siren"], folds: 2);
        File.Delete(Path.Combine(dir.Path, "audio", "fold2", "102-0-0-0.wav"));
        var e = Assert.Throws<ByolAException>(() => Build("us8k", dir.Path));
        Assert.Contains("1 of 4 audio files", e.Message);
        Assert.Contains("102-0-0-0.wav", e.Message);
    }

    [Fact]
    public void Nsynth_labels_are_instrument_families_per_split()
    {
        using var dir = new TempDir();
        DatasetFixtures.NSynth(dir.Path, ["bass", "guitar", "organ"]);
        var m = Build("nsynth", dir.Path).Metadata;
        Assert.Equal(18, m.Rows.Count);
        Assert.Equal(["bass", "guitar", "organ"], m.Classes);
        Assert.Contains(new MetadataRow("nsynth-valid/audio/guitar_acoustic_001-061-100.wav", "guitar", "valid"), m.Rows);
    }

    [Fact]
    public void Vc1_split_codes_map_to_train_valid_test_and_speakers_are_labels()
    {
        using var dir = new TempDir();
        DatasetFixtures.VoxCeleb1(dir.Path, 3);
        var m = Build("vc1", dir.Path).Metadata;
        Assert.Equal(["id10001", "id10002", "id10003"], m.Classes);
        Assert.Contains(new MetadataRow("id10002/vid1abc/00003.wav", "id10002", "test"), m.Rows);
        Assert.Equal(new Dictionary<string, int> { ["train"] = 3, ["valid"] = 3, ["test"] = 3 }, CountBy(m, r => r.Split!));
    }

    [Fact]
    public void Voxforge_splits_by_speaker_and_reads_language_from_readme_or_folder()
    {
        using var dir = new TempDir();
        DatasetFixtures.VoxForge(dir.Path, ["de", "en", "fr"]);
        Directory.CreateDirectory(dir.File("flaconly-20100101-zz/flac"));
        var build = Build("voxforge", dir.Path);
        Assert.Contains(build.Notes, n => n.Contains("skipped 1 session(s) holding FLAC only"));
        var m = build.Metadata;
        Assert.Equal(["de", "en", "fr"], m.Classes);
        Assert.Equal(21, m.Rows.Count);
        Assert.Contains(new MetadataRow("en/anonymous-20080504-x1/wav/b0001.wav", "en", m.Rows.Single(r => r.FileName.StartsWith("en/anonymous")).Split), m.Rows);
        // No speaker (session-name prefix) appears in two splits; each language has 4 speakers → 1 test, 1 valid.
        var speakerSplits = m.Rows.GroupBy(r => r.FileName.Split('/')[^3].Split('-')[0] + r.FileName.Split('/')[0]).Select(g => g.Select(r => r.Split).Distinct().Count());
        Assert.All(speakerSplits, n => Assert.Equal(1, n));
        foreach (var language in m.Classes)
            Assert.Equal(3, m.Rows.Where(r => r.Label == language).Select(r => r.Split).Distinct().Count());
    }

    [Fact]
    public void Voxforge_takes_a_user_split_csv_by_speaker()
    {
        using var dir = new TempDir();
        var root = dir.File("vf");
        DatasetFixtures.VoxForge(root, ["de", "it"]);
        var splits = dir.File("split.csv");
        File.WriteAllLines(splits, ["speaker,split", "despeaker0,test", "despeaker1,val", "despeaker2,train", "anonymous-20080504-x0,train",
                                    "itspeaker0,train", "itspeaker1,valid", "itspeaker2,test", "anonymous-20080504-x1,test"]);
        var m = Build("voxforge", root, new PreprocessOptions { Task = "voxforge", DatasetRoot = root, SplitCsv = splits }).Metadata;
        Assert.Equal("test", m.Rows.First(r => r.FileName.StartsWith("despeaker0")).Split);
        Assert.Equal("valid", m.Rows.First(r => r.FileName.StartsWith("despeaker1")).Split);
        Assert.Equal("test", m.Rows.Single(r => r.FileName.Contains("anonymous-20080504-x1")).Split);
    }

    [Fact]
    public void Fsdnoisy18k_holds_out_ten_percent_of_each_train_class_as_valid()
    {
        using var dir = new TempDir();
        DatasetFixtures.FsdNoisy18k(dir.Path, ["Rain", "Wind", "Fire"], trainPerClass: 10);
        var m = Build("fsdnoisy18k", dir.Path).Metadata;
        Assert.Equal(33, m.Rows.Count);
        Assert.Equal(new Dictionary<string, int> { ["train"] = 27, ["valid"] = 3, ["test"] = 3 }, CountBy(m, r => r.Split!));
        Assert.All(m.Classes, c => Assert.Single(m.Rows, r => r.Label == c && r.Split == "valid"));
        Assert.Contains(new MetadataRow("FSDnoisy18k.audio_test/9001.wav", "Wind", "test"), m.Rows);
        // Seeded: the same valid clips every time.
        Assert.Equal(m.Rows, Build("fsdnoisy18k", dir.Path).Metadata.Rows);
    }

    [Fact]
    public void Missing_dataset_files_are_errors_naming_the_file()
    {
        using var dir = new TempDir();
        foreach (var (task, file) in new[] { ("us8k", "UrbanSound8K.csv"), ("nsynth", "examples.json"), ("vc1", "iden_split.txt"), ("fsdnoisy18k", "train.csv"), ("spcv2", "validation_list.txt") })
        {
            var e = Assert.Throws<ByolAException>(() => Build(task, dir.Path));
            Assert.Contains(file, e.Message);
        }
        Assert.Contains("no VoxForge session folders", Assert.Throws<ByolAException>(() => Build("voxforge", dir.Path)).Message);
    }

    [Fact]
    public void Unknown_task_lists_the_known_ones()
    {
        var e = Assert.Throws<OptionException>(() => TaskRegistry.Get("esc50"));
        Assert.Equal("Task", e.Option);
        Assert.Contains("'esc50' is not a known task", e.Message);
        foreach (var name in new[] { "spcv2", "spcv2-12", "spcv1", "us8k", "nsynth", "vc1", "voxforge", "fsdnoisy18k" })
            Assert.Contains(name, e.Message);
        Assert.Equal(8, TaskRegistry.All.Select(t => t.Name).Distinct().Count());
        Assert.Equal(8.2, TaskRegistry.Get("VC1").UnitSec);
    }
}
