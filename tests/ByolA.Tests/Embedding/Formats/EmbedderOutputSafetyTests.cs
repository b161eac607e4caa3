using ByolA.Embedding;
using ByolA.Embedding.Formats;
using ByolA.Cli;
using ByolA.Data;
using ByolA.Tests.Support;
using static ByolA.Tests.Support.CliRunner;

namespace ByolA.Tests.Embedding.Formats;

/// <summary>
/// Issue 11.8: the file list of an .npy keeps any file name exactly; the .npy and its file list are replaced together
/// or not at all; a file given more than once is embedded once and the dropped duplicates are counted.
/// </summary>
public class EmbedderOutputSafetyTests
{
    static readonly string[] HostileNames =
    [
        "new\nline.wav", "  leading spaces.wav", "trailing space .wav", "tab\there.wav", "cr\r\nlf.wav",
        "back\\slash \"quoted\", comma.wav", "日本語 – ünïcödé.wav", "emoji 🎵 outside the BMP.wav", "\u202Eright-to-left.wav",
    ];

    [Fact]
    public void The_file_list_round_trips_names_with_newlines_tabs_and_unicode()
    {
        using var tmp = new TempDir();
        var files = HostileNames.Select(n => "clips/" + n).ToArray();
        var values = Enumerable.Range(0, files.Length * 3).Select(i => i * 0.5f).ToArray();
        var written = EmbedderOutput.Write(tmp.File("e.npy"), files, values, [files.Length, 3]);
        Assert.Equal(tmp.File("e.files.npy"), written[1]);
        Assert.Equal(files, EmbedderOutput.ReadFileList(tmp.File("e.files.npy")));
        using var back = EmbedderOutput.ReadNpy(tmp.File("e.npy"));
        Assert.Equal(new long[] { files.Length, 3 }, back.shape);
    }

    [Fact]
    public void Embed_lists_a_folder_of_hostile_names_one_row_each()
    {
        using var tmp = new TempDir();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        var clip = EmbedderTestAudio.WriteClips(tmp.File("src"), 0.3)[0];
        var names = HostileNames[..5];
        Directory.CreateDirectory(tmp.File("audio"));
        foreach (var n in names) File.Copy(clip, Path.Combine(tmp.File("audio"), n));
        var (code, _, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--out", tmp.File("e.npy"), "--stats", "-6,4", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        var expected = names.Select(n => Path.Combine(tmp.File("audio"), n)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, EmbedderOutput.ReadFileList(tmp.File("e.files.npy")));
        using var e = EmbedderOutput.ReadNpy(tmp.File("e.npy"));
        Assert.Equal(names.Length, e.shape[0]);
    }

    static (byte[] Npy, byte[] List) WriteOldPair(TempDir tmp)
    {
        EmbedderOutput.Write(tmp.File("e.npy"), ["old-a.wav", "old-b.wav"], [1f, 2f, 3f, 4f], [2, 2]);
        return (File.ReadAllBytes(tmp.File("e.npy")), File.ReadAllBytes(tmp.File("e.files.npy")));
    }

    [Fact]
    public void A_failure_between_the_two_renames_leaves_the_old_pair()
    {
        using var tmp = new TempDir();
        var (npy, list) = WriteOldPair(tmp);
        var target = tmp.File("e.npy");
        Action<string> fail = path => { if (path == target) throw new IOException("No space left on device : '" + path + "'"); };
        AtomicFile.BeforeNextRename += fail;
        try
        {
            var e = Assert.Throws<ByolAException>(() => EmbedderOutput.Write(target, ["new.wav"], [9f, 9f], [1, 2]));
            Assert.Equal($"{target}: cannot write (No space left on device)", e.Message);
        }
        finally
        {
            AtomicFile.BeforeNextRename -= fail;
        }
        Assert.Equal(npy, File.ReadAllBytes(tmp.File("e.npy")));
        Assert.Equal(list, File.ReadAllBytes(tmp.File("e.files.npy")));
        Assert.Equal(2, Directory.GetFiles(tmp.Path).Length);
    }

    [Fact]
    public void A_folder_in_the_way_of_either_file_leaves_the_old_files()
    {
        using var tmp = new TempDir();
        var (npy, list) = WriteOldPair(tmp);

        // The .npy's name is taken by a folder: the file list, renamed first, is put back.
        File.Move(tmp.File("e.npy"), tmp.File("kept.npy"));
        Directory.CreateDirectory(tmp.File("e.npy"));
        var e = Assert.Throws<ByolAException>(() => EmbedderOutput.Write(tmp.File("e.npy"), ["new.wav"], [9f, 9f], [1, 2]));
        Assert.StartsWith(tmp.File("e.npy") + ": cannot write", e.Message);
        Assert.DoesNotContain(AtomicFile.TempMarker, e.Message);
        Assert.Equal(list, File.ReadAllBytes(tmp.File("e.files.npy")));
        Directory.Delete(tmp.File("e.npy"));
        File.Move(tmp.File("kept.npy"), tmp.File("e.npy"));

        // The file list's name is taken by a folder: the .npy is not replaced.
        File.Move(tmp.File("e.files.npy"), tmp.File("kept.files.npy"));
        Directory.CreateDirectory(tmp.File("e.files.npy"));
        e = Assert.Throws<ByolAException>(() => EmbedderOutput.Write(tmp.File("e.npy"), ["new.wav"], [9f, 9f], [1, 2]));
        Assert.StartsWith(tmp.File("e.files.npy") + ": cannot write", e.Message);
        Assert.Equal(npy, File.ReadAllBytes(tmp.File("e.npy")));
        Assert.Empty(Directory.GetFiles(tmp.Path, "*" + AtomicFile.TempMarker + "*"));
    }

    [Fact]
    public void Embed_refuses_an_output_that_is_a_folder_before_embedding()
    {
        using var tmp = new TempDir();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.3);
        Directory.CreateDirectory(tmp.File("out.files.npy"));
        var (code, output, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--out", tmp.File("out.npy"), "--device", "cpu");
        Assert.Equal(ExitCodes.Failure, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("out.files.npy: is a folder", line);
        Assert.DoesNotContain("normalisation stats", err + output);
        Assert.False(File.Exists(tmp.File("out.npy")));
    }

    [Fact]
    public void The_same_file_given_several_ways_is_one_row_and_the_duplicates_are_counted()
    {
        using var tmp = new TempDir();
        var clips = EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.2, 0.2);
        File.CreateSymbolicLink(tmp.File("alias.wav"), clips[0]);
        Directory.CreateSymbolicLink(tmp.File("linked"), tmp.File("audio"));
        var warnings = new List<string>();
        var files = EmbedderInputs.Expand(
            [clips[0], clips[0], tmp.File("audio"), tmp.File("audio/../audio/clip1.wav"), tmp.File("alias.wav"), tmp.File("linked/clip0.wav")],
            warnings.Add);
        Assert.Equal(new[] { clips[0], clips[1] }, files);
        var warning = Assert.Single(warnings);
        Assert.StartsWith("5 duplicate input(s) dropped, one row per file", warning);
        Assert.Contains("2 file(s) remain", warning);

        // 990 inputs naming 330 files: 330 rows, and the count is said.
        warnings.Clear();
        var many = EmbedderTestAudio.WriteClips(tmp.File("many"), Enumerable.Repeat(0.05, 33).ToArray());
        Assert.Equal(33, EmbedderInputs.Expand([.. many, .. many, .. many], warnings.Add).Count);
        Assert.StartsWith("66 duplicate input(s) dropped", Assert.Single(warnings));
    }
}
