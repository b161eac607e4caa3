using ByolA.Data;
using ByolA.Audio;
using ByolA.Cli;
using ByolA.Tasks;
using ByolA.Tests.Support;

namespace ByolA.Tests.Tasks;

public class TaskPreprocessorTests
{
    static readonly Dictionary<string, Action<string>> Layouts = new()
    {
        ["spcv2"] = root => DatasetFixtures.SpeechCommands(root, ["yes", "no", "marvin"], clipsPerWord: 3, noiseSeconds: 1.2),
        ["spcv2-12"] = root => DatasetFixtures.SpeechCommands(root, ["yes", "no", "marvin"], clipsPerWord: 3, noiseSeconds: 2.5),
        ["spcv1"] = root => DatasetFixtures.SpeechCommands(root, ["bed", "bird"], clipsPerWord: 3, noiseSeconds: 1.2),
        ["us8k"] = root => DatasetFixtures.UrbanSound8K(root, ["dog_bark", "siren"], folds: 3),
        ["nsynth"] = root => DatasetFixtures.NSynth(root, ["bass", "organ"], perSplit: 1),
        ["vc1"] = root => DatasetFixtures.VoxCeleb1(root, speakers: 2),
        ["voxforge"] = root => DatasetFixtures.VoxForge(root, ["de", "ru"]),
        ["fsdnoisy18k"] = root => DatasetFixtures.FsdNoisy18k(root, ["Rain", "Wind"], trainPerClass: 3),
        ["esc50"] = root => DatasetFixtures.Esc50(root, ["dog", "rain"], folds: 2),
        ["gtzan"] = root => DatasetFixtures.Gtzan(root, ["blues", "jazz"], root),
        ["cremad"] = root => DatasetFixtures.CremaD(root, actors: 4, ["ANG", "HAP"]),
        ["fsd50k"] = root => DatasetFixtures.Fsd50k(root, [["Bark", "Dog"], ["Rain"]], dev: 4, eval: 2),
        ["as20k"] = root => DatasetFixtures.AudioSet(root, [("/m/01", "Speech"), ("/m/02", "Dog, bark")], train: 4, eval: 2, new HashSet<string>()),
    };

    public static TheoryData<string> Tasks => new(Layouts.Keys);

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Every_task_layout_preprocesses_to_metadata_and_16k_mono_audio_and_reruns_cleanly(string task)
    {
        using var dir = new TempDir();
        var root = dir.File("dataset");
        Layouts[task](root);
        var options = new PreprocessOptions { Task = task, DatasetRoot = root, WorkRoot = dir.File("work"), Workers = 2 };
        var result = TaskPreprocessor.Run(options);

        var metadata = TaskMetadata.Read(dir.File($"work/metadata/{task}.csv"));
        Assert.Equal(result.Rows, metadata.Rows.Count);
        Assert.Equal(result.Classes, metadata.Classes.Count);
        Assert.Equal(task is "us8k" or "esc50", metadata.HasFolds);
        Assert.Equal(task is "fsd50k" or "as20k", metadata.MultiLabel);
        foreach (var row in metadata.Rows)
        {
            var audio = WavFile.Read(TaskMetadata.Resolve(dir.File($"work/16k/{task}"), row.FileName));
            Assert.Equal((1, 16000), (audio.Channels.Length, audio.SampleRate));
        }
        // The fixtures are miniatures, so the published counts never match: each task warns.
        Assert.Contains(result.Warnings, w => w.Contains("the official", StringComparison.Ordinal));
        Assert.True(result.Converted > 0);

        var again = TaskPreprocessor.Run(options);
        Assert.Equal((0, result.Converted + result.AlreadyConverted, 0), (again.Converted, again.AlreadyConverted, again.SlicesWritten));
        Assert.Equal(metadata.Rows, TaskMetadata.Read(dir.File($"work/metadata/{task}.csv")).Rows);
        Assert.Empty(Directory.GetFiles(dir.File("work"), "*byola-tmp*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Us8k_stereo_44k_clips_become_16k_mono_of_the_right_length()
    {
        using var dir = new TempDir();
        DatasetFixtures.UrbanSound8K(dir.File("us8k"), ["siren", "drilling"], folds: 2);
        TaskPreprocessor.Run(new PreprocessOptions { Task = "us8k", DatasetRoot = dir.File("us8k"), WorkRoot = dir.File("work") });
        var audio = WavFile.Read(dir.File("work/16k/us8k/fold2/102-1-0-0.wav"));
        Assert.Equal(800, audio.Frames);
    }

    [Fact]
    public void Spcv2_12_silence_clips_are_exact_one_second_slices_of_the_converted_noise()
    {
        using var dir = new TempDir();
        DatasetFixtures.SpeechCommands(dir.File("sc"), ["yes", "house"], noiseSeconds: 2.5);
        var result = TaskPreprocessor.Run(new PreprocessOptions { Task = "spcv2-12", DatasetRoot = dir.File("sc"), WorkRoot = dir.File("work") });
        Assert.Equal(4, result.SlicesWritten);
        var noise = WavFile.Read(dir.File("work/16k/spcv2-12/_background_noise_/white_noise.wav")).Channels[0];
        var slice = WavFile.Read(dir.File("work/16k/spcv2-12/_silence_/white_noise_0001.wav")).Channels[0];
        Assert.Equal(noise.AsSpan(16000, 16000).ToArray(), slice);
    }

    [Fact]
    public void Missing_dataset_root_is_an_error()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ByolAException>(() => new PreprocessOptions { Task = "vc1", DatasetRoot = dir.File("none") }.Validate());
        Assert.Contains("dataset folder not found", e.Message);
    }

    [Fact]
    public void A_work_folder_inside_the_dataset_is_refused_before_anything_is_written()
    {
        using var dir = new TempDir();
        DatasetFixtures.VoxCeleb1(dir.File("vox1"), speakers: 2);
        var before = Directory.GetFileSystemEntries(dir.File("vox1"), "*", SearchOption.AllDirectories).Order().ToList();
        Directory.CreateSymbolicLink(dir.File("into-vox1"), dir.File("vox1/wav"));
        foreach (var work in new[] { dir.File("vox1/work"), dir.File("vox1"), dir.File("into-vox1/work") })
        {
            var o = new StringWriter();
            var e = new StringWriter();
            int code = CliApp.Run(["preprocess", "vc1", dir.File("vox1"), "--work", work], o, e);
            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains("--work", e.ToString());
            Assert.Contains("is inside the dataset folder", e.ToString());
        }
        Assert.Equal(before, Directory.GetFileSystemEntries(dir.File("vox1"), "*", SearchOption.AllDirectories).Order());
    }

    [Fact]
    public void Cli_preprocess_writes_metadata_and_reports_counts()
    {
        using var dir = new TempDir();
        DatasetFixtures.VoxCeleb1(dir.File("vox1"), speakers: 2);
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run(["preprocess", "vc1", dir.File("vox1"), "--work", dir.File("work")], o, e);
        Assert.True(code == ExitCodes.Ok, e.ToString());
        Assert.Contains("vc1: 6 clips, 2 classes", o.ToString());
        Assert.Contains("warning: vc1: 6 clips, the official dataset has 153516 (-153510)", e.ToString());
        Assert.True(File.Exists(dir.File("work/metadata/vc1.csv")));

        code = CliApp.Run(["preprocess", "nosuch", dir.File("vox1")], o, e);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("known tasks: spcv2", e.ToString());
    }
}
