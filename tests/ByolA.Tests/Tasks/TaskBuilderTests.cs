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
        var e = Assert.Throws<OptionException>(() => TaskRegistry.Get("esc99"));
        Assert.Equal("Task", e.Option);
        Assert.Contains("'esc99' is not a known task", e.Message);
        foreach (var name in new[] { "spcv2", "spcv2-12", "spcv1", "us8k", "nsynth", "vc1", "voxforge", "fsdnoisy18k", "esc50", "gtzan", "cremad", "fsd50k", "as20k" })
            Assert.Contains(name, e.Message);
        Assert.Equal(13, TaskRegistry.All.Select(t => t.Name).Distinct().Count());
        Assert.Equal(8.2, TaskRegistry.Get("VC1").UnitSec);
    }

    [Fact]
    public void Esc50_rows_carry_folds_and_categories()
    {
        using var dir = new TempDir();
        DatasetFixtures.Esc50(dir.Path, ["dog", "rain", "crackling_fire"], folds: 5);
        var build = Build("esc50", dir.Path);
        var m = build.Metadata;
        Assert.True(m.HasFolds);
        Assert.Equal([1, 2, 3, 4, 5], m.Folds);
        Assert.Equal(["crackling_fire", "dog", "rain"], m.Classes);
        Assert.Contains(new MetadataRow("4-1002-A-2.wav", "crackling_fire", Fold: 4), m.Rows);
        Assert.Equal(Path.Combine(dir.Path, "audio", "4-1002-A-2.wav"), build.Files.Single(f => f.FileName == "4-1002-A-2.wav").Source);
        var diffs = TaskRegistry.Get("esc50").Official.Differences("esc50", m);
        Assert.Contains("esc50: 15 clips, the official dataset has 2000 (-1985)", diffs);
        Assert.Contains("esc50: split '3' has 3 clips, the official one has 400 (-397)", diffs);
        Assert.Equal(5.0, TaskRegistry.Get("esc50").UnitSec);
    }

    [Fact]
    public void Gtzan_takes_the_filtered_lists_leaves_unlisted_clips_out_and_refuses_without_them()
    {
        using var dir = new TempDir();
        var root = dir.File("gtzan");
        DatasetFixtures.Gtzan(root, ["blues", "jazz", "rock"], dir.File("lists"));
        var options = new PreprocessOptions { Task = "gtzan", DatasetRoot = root, ListsDir = dir.File("lists") };
        var build = Build("gtzan", root, options);
        var m = build.Metadata;
        Assert.Equal(9, m.Rows.Count);   // clip 3 of each genre is in no list
        Assert.Equal(new Dictionary<string, int> { ["train"] = 3, ["valid"] = 3, ["test"] = 3 }, CountBy(m, r => r.Split!));
        Assert.Contains(new MetadataRow("jazz/jazz.00002.wav", "jazz", "test"), m.Rows);
        Assert.Equal(Path.Combine(root, "genres_original", "jazz", "jazz.00002.wav"), build.Files.Single(f => f.FileName == "jazz/jazz.00002.wav").Source);
        Assert.Contains("gtzan: split 'train' has 3 clips, the official one has 443 (-440)", TaskRegistry.Get("gtzan").Official.Differences("gtzan", m));

        File.Delete(dir.File("lists/valid_filtered.txt"));
        var e = Assert.Throws<ByolAException>(() => Build("gtzan", root, options));
        Assert.StartsWith($"{dir.File("lists")}: valid_filtered.txt not found; gtzan needs the fault-filtered split lists train_filtered.txt, valid_filtered.txt and test_filtered.txt", e.Message);
        e = Assert.Throws<ByolAException>(() => Build("gtzan", root));
        Assert.Contains("train_filtered.txt, valid_filtered.txt, test_filtered.txt not found", e.Message);
    }

    [Fact]
    public void Cremad_splits_by_actor_with_the_seed_or_a_split_csv()
    {
        using var dir = new TempDir();
        var root = dir.File("crema");
        DatasetFixtures.CremaD(root, actors: 20, ["ANG", "DIS", "FEA", "HAP", "NEU", "SAD"]);
        var build = Build("cremad", root);
        var m = build.Metadata;
        Assert.Equal(120, m.Rows.Count);
        Assert.Equal(["ANG", "DIS", "FEA", "HAP", "NEU", "SAD"], m.Classes);
        Assert.Contains(new MetadataRow("AudioWAV/1007_IEO_HAP_XX.wav", "HAP", m.Rows.First(r => r.FileName.StartsWith("AudioWAV/1007_")).Split), m.Rows);
        // No actor in two splits; 20 actors scaled from 63/9/19 of 91: 4 test, 2 valid, 14 train.
        var actorSplits = m.Rows.GroupBy(r => r.FileName[9..13]).ToDictionary(g => g.Key, g => g.Select(r => r.Split).Distinct().Single());
        Assert.Equal(new Dictionary<string, int> { ["train"] = 14, ["valid"] = 2, ["test"] = 4 }, actorSplits.Values.GroupBy(s => s!).ToDictionary(g => g.Key, g => g.Count()));
        Assert.Contains(build.Notes, n => n.Contains("20 actors, the official dataset has 91"));
        // Seeded: the same split every time, another seed another one.
        Assert.Equal(m.Rows, Build("cremad", root).Metadata.Rows);
        Assert.NotEqual(m.Rows, Build("cremad", root, new PreprocessOptions { Task = "cremad", DatasetRoot = root, Seed = 7 }).Metadata.Rows);

        var split = dir.File("actors.csv");
        File.WriteAllLines(split, ["actor,split", .. Enumerable.Range(1001, 20).Select(a => $"{a},{(a == 1001 ? "test" : a == 1002 ? "val" : "train")}")]);
        var given = Build("cremad", root, new PreprocessOptions { Task = "cremad", DatasetRoot = root, SplitCsv = split }).Metadata;
        Assert.All(given.Rows.Where(r => r.FileName.StartsWith("AudioWAV/1001_")), r => Assert.Equal("test", r.Split));
        Assert.All(given.Rows.Where(r => r.FileName.StartsWith("AudioWAV/1002_")), r => Assert.Equal("valid", r.Split));
        File.WriteAllLines(split, ["actor,split", "1001,test"]);
        var e = Assert.Throws<ByolAException>(() => Build("cremad", root, new PreprocessOptions { Task = "cremad", DatasetRoot = root, SplitCsv = split }));
        Assert.Equal($"{split}: 19 actor(s) of the dataset are not listed, e.g. 1002; list every actor with its split", e.Message);
    }

    [Fact]
    public void Fsd50k_is_multi_label_with_dev_train_and_val_and_eval_as_test()
    {
        using var dir = new TempDir();
        DatasetFixtures.Fsd50k(dir.Path, [["Bark", "Dog", "Animal"], ["Rain"], ["Guitar", "Music"]], dev: 8, eval: 3);
        var m = Build("fsd50k", dir.Path).Metadata;
        Assert.True(m.MultiLabel);
        Assert.True(TaskRegistry.Get("fsd50k").MultiLabel);
        Assert.Equal(new Dictionary<string, int> { ["train"] = 6, ["valid"] = 2, ["test"] = 3 }, CountBy(m, r => r.Split!));
        Assert.Equal(["Animal", "Bark", "Dog", "Guitar", "Music", "Rain"], m.Classes);
        Assert.Contains(new MetadataRow("FSD50K.dev_audio/103.wav", "Bark,Dog,Animal", "valid"), m.Rows);
        Assert.Contains(new MetadataRow("FSD50K.eval_audio/902.wav", "Guitar,Music", "test"), m.Rows);
        Assert.Contains("fsd50k: split 'test' has 3 clips, the official one has 10231 (-10228)", TaskRegistry.Get("fsd50k").Official.Differences("fsd50k", m));
    }

    [Fact]
    public void As20k_uses_the_clips_present_reports_the_missing_and_holds_out_a_valid_split()
    {
        using var dir = new TempDir();
        (string, string)[] classes = [("/m/01", "Speech"), ("/m/02", "Male speech, man speaking"), ("/m/03", "Dog"), ("/m/04", "Rain")];
        DatasetFixtures.AudioSet(dir.Path, classes, train: 40, eval: 10, new HashSet<string> { "-t0003abcde", "-e0001abcde" });
        var build = Build("as20k", dir.Path);
        var m = build.Metadata;
        Assert.True(m.MultiLabel);
        Assert.Equal(39 + 9, m.Rows.Count);
        Assert.Contains("as20k: 39 of the 40 segments listed in balanced_train_segments.csv are present in balanced_train_segments/ (1 missing, left out)", build.Notes);
        Assert.Contains("as20k: 9 of the 10 segments listed in eval_segments.csv are present in eval_segments/ (1 missing, left out)", build.Notes);
        // Display names keep their words; their commas, which would split labels, become semicolons.
        Assert.Equal(["Dog", "Male speech; man speaking", "Rain", "Speech"], m.Classes);
        Assert.Contains(new MetadataRow("eval_segments/-e0005abcde_50.000.wav", "Male speech; man speaking,Dog", "test"), m.Rows);
        // 10% of the 39 present train clips (4) become valid, holding every class; each class keeps train clips.
        var valid = m.Rows.Where(r => r.Split == "valid").ToList();
        Assert.InRange(valid.Count, 4, 6);
        Assert.All(m.Classes, c => Assert.Contains(valid, r => r.Label.Split(',').Contains(c)));
        Assert.All(m.Classes, c => Assert.Contains(m.Rows, r => r.Split == "train" && r.Label.Split(',').Contains(c)));
        Assert.Equal(m.Rows, Build("as20k", dir.Path).Metadata.Rows);
        Assert.Contains("as20k: 4 classes, the official dataset has 527", TaskRegistry.Get("as20k").Official.Differences("as20k", m));
    }

    [Fact]
    public void New_tasks_refuse_missing_dataset_files_naming_them()
    {
        using var dir = new TempDir();
        foreach (var (task, file) in new[] { ("esc50", "esc50.csv"), ("fsd50k", "dev.csv"), ("as20k", "class_labels_indices.csv"), ("cremad", "AudioWAV") })
        {
            var e = Assert.Throws<ByolAException>(() => Build(task, dir.Path));
            Assert.Contains(file, e.Message);
        }
    }

    [Fact]
    public void Lists_and_split_csv_apply_to_their_tasks_only()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<OptionException>(() => new PreprocessOptions { Task = "us8k", DatasetRoot = dir.Path, ListsDir = dir.Path }.Validate());
        Assert.Equal((nameof(PreprocessOptions.ListsDir), "ListsDir applies to gtzan only"), (e.Option, e.Message));
        e = Assert.Throws<OptionException>(() => new PreprocessOptions { Task = "gtzan", DatasetRoot = dir.Path, SplitCsv = dir.File("s.csv") }.Validate());
        Assert.Equal("SplitCsv applies to voxforge and cremad only", e.Message);
    }
}
