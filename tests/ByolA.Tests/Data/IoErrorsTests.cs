using ByolA.Tests.Embedding;
using ByolA.Tests.Probe;
using ByolA.Cli;
using ByolA.Data;
using ByolA.Learning;
using ByolA.Weights;
using ByolA.Tests.Support;
using static ByolA.Tests.Support.CliRunner;

namespace ByolA.Tests.Data;

/// <summary>
/// Issue 11.16: foreseeable I/O failures are one line naming the real path and the OS reason, before the long work
/// where possible; never "unexpected XxxException" or a temporary file's name.
/// </summary>
public class IoErrorsTests
{
    static string OneLine(string err)
    {
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.DoesNotContain("unexpected", line);
        Assert.DoesNotContain(AtomicFile.TempMarker, line);
        return line;
    }

    [Fact]
    public void Reasons_keep_the_os_words_and_drop_paths_and_temp_names()
    {
        using var tmp = new TempDir();
        var target = tmp.File("out.npy");
        Assert.Equal("No space left on device", IoErrors.Reason(new IOException($"No space left on device : '{target}{AtomicFile.TempMarker}1a2b3c4d'"), target));
        Assert.Equal("Read-only file system", IoErrors.Reason(new IOException($"Read-only file system : '{target}'"), target));
        Assert.Equal("The file already exists", IoErrors.Reason(new IOException($"The file '{target}' already exists."), target));
        Assert.Equal("permission denied", IoErrors.Reason(new UnauthorizedAccessException($"Access to the path '{target}' is denied."), target));
        Directory.CreateDirectory(target);
        Assert.Equal("is a directory", IoErrors.Reason(new UnauthorizedAccessException($"Access to the path '{target}' is denied."), target));
        // A file inside a folder the user may not write to: the folder is named, the reason is the permission.
        var probe = Path.Combine(target, "x.npy" + AtomicFile.TempMarker + "probe-1");
        Assert.Equal("permission denied", IoErrors.Reason(new UnauthorizedAccessException($"Access to the path '{probe}' is denied."), target));
    }

    [Fact]
    public void Writing_below_a_file_or_onto_a_folder_names_the_path_and_what_is_in_the_way()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("plain"), "x");
        var e = Assert.Throws<ByolAException>(() => AtomicFile.Write(tmp.File("plain/sub/out.csv"), s => s.WriteByte(1)));
        Assert.Equal($"{tmp.File("plain/sub")}: cannot write out.csv in it ({tmp.File("plain")} is a file, not a folder)", e.Message);

        Directory.CreateDirectory(tmp.File("taken.csv"));
        e = Assert.Throws<ByolAException>(() => AtomicFile.Write(tmp.File("taken.csv"), s => s.WriteByte(1)));
        Assert.StartsWith($"{tmp.File("taken.csv")}: cannot write (", e.Message);
        Assert.DoesNotContain(AtomicFile.TempMarker, e.Message);
        Assert.Empty(Directory.GetFiles(tmp.Path, "*" + AtomicFile.TempMarker + "*"));
        Assert.Equal($"{tmp.File("taken.csv")}: is a folder, not a file; give a file name for the output",
            Assert.Throws<ByolAException>(() => AtomicFile.CheckWritable(tmp.File("taken.csv"))).Message);
    }

    [Fact]
    public void A_folder_given_as_weights_or_as_the_checkpoint_to_resume_says_so()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.File("run"));
        Assert.Equal($"{tmp.File("run")}: is a folder, not a weight file; give the .pth file itself",
            Assert.Throws<ByolAException>(() => EncoderLoader.Load(tmp.File("run"))).Message);
        var options = new TrainOptions { Config = ByolA.Configuration.ByolAConfig.V1, AudioDir = tmp.Path, OutputDir = tmp.File("out"), ResumeFrom = tmp.File("run") };
        Assert.Equal($"{tmp.File("run")}: is a folder; resume from the checkpoint file in it ({Path.Combine(tmp.File("run"), "checkpoint.pth")})",
            Assert.Throws<ByolAException>(() => options.Validate()).Message);
    }

    [Fact]
    public void Verbs_whose_output_cannot_be_written_stop_first_in_one_line()
    {
        using var tmp = new TempDir();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.3, 0.4);
        File.WriteAllText(tmp.File("plain"), "x");

        var (code, output, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--out", tmp.File("plain/e.npy"), "--device", "cpu");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Equal($"error: {tmp.File("plain")}: is a file, not a folder; cannot create the output folder", OneLine(err));
        Assert.Empty(output);

        (code, _, err) = Run("train", tmp.File("audio"), "--out", tmp.File("plain"), "--d", "32", "--epochs", "1", "--bs", "2", "--device", "cpu");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains($"{tmp.File("plain")}: is a file, not a folder", OneLine(err));

        (code, _, err) = Run("export", tmp.File("w.pth"), tmp.File("plain/m.onnx"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains($"{tmp.File("plain")}: is a file, not a folder", OneLine(err));

        // convert-wav: one line for the folder, not one failure per file.
        (code, _, err) = Run("convert-wav", tmp.File("audio"), tmp.File("plain/16k"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Equal($"error: {tmp.File("plain/16k")}: cannot create the output folder ({tmp.File("plain")} is a file, not a folder)", OneLine(err));
    }

    [Fact]
    public void Evaluate_checks_its_results_folder_before_embedding()
    {
        using var tmp = new TempDir();
        var metadata = ToneTask.Write(tmp.Path, train: 2, valid: 1, test: 1);
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        File.WriteAllText(tmp.File("plain"), "x");
        var (code, _, err) = Run("evaluate", tmp.File("w.pth"), "tones", "--metadata", metadata, "--audio-dir", tmp.File("audio"),
            "--results", tmp.File("plain/results"), "--work", tmp.File("work"), "--device", "cpu");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains($"{tmp.File("plain/results")}: cannot create the output folder ({tmp.File("plain")} is a file, not a folder)", err);
        Assert.DoesNotContain("norm stats", err);
        Assert.False(Directory.Exists(tmp.File("work/embeddings")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Permission_denied_is_said_where_the_os_refuses()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.File("locked"));
        File.SetUnixFileMode(tmp.File("locked"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        bool refused;
        try { File.WriteAllText(tmp.File("locked/probe"), "x"); refused = false; File.Delete(tmp.File("locked/probe")); }
        catch (UnauthorizedAccessException) { refused = true; }
        if (refused)   // as root the OS writes anyway; elsewhere it refuses, and the message must say so
            Assert.Equal($"{tmp.File("locked")}: cannot write to the output folder (permission denied)",
                Assert.Throws<ByolAException>(() => AtomicFile.CheckWritable(tmp.File("locked/out.npy"))).Message);
        File.SetUnixFileMode(tmp.File("locked"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [Fact]
    public void A_folder_where_a_wav_or_a_config_file_should_be_is_named_as_a_folder()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.File("clip.wav"));
        Assert.Equal($"{tmp.File("clip.wav")}: cannot read (is a directory)", Assert.Throws<ByolAException>(() => RiffWalker.Read(tmp.File("clip.wav"))).Message);
        Directory.CreateDirectory(tmp.File("config.yaml"));
        var e = Assert.ThrowsAny<Exception>(() => ByolA.Configuration.ConfigLoader.Load(tmp.File("config.yaml")));
        Assert.Contains("is a folder, not a config file", e.Message);
    }
}
