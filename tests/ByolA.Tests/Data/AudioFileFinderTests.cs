using System.Buffers.Binary;
using ByolA.Audio;
using ByolA.Data;
using ByolA.Learning;
using ByolA.Tests.Audio;
using ByolA.Tests.Support;

namespace ByolA.Tests.Data;

public class AudioFileFinderTests
{
    static void Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        TestWav.Write(path, TestWav.Sines(1, 800, 16000), 16000, 16, isFloat: false);
    }

    [Fact]
    public void Finds_wavs_recursively_in_path_order_skipping_hidden_entries_and_other_files()
    {
        using var dir = new TempDir();
        foreach (var f in new[] { "b/z.WAV", "a/y.wav", "a/c/x.wav", ".hidden/h.wav", "a/._x.wav", "top.wav" }) Touch(dir.File(f));
        File.WriteAllText(dir.File("a/notes.txt"), "");
        File.WriteAllText(dir.File("a/x.wav" + AtomicFile.TempMarker + "0badc0de"), "");

        var found = AudioFileFinder.Find(dir.Path).Select(f => Path.GetRelativePath(dir.Path, f).Replace('\\', '/'));

        Assert.Equal(["a/c/x.wav", "a/y.wav", "b/z.WAV", "top.wav"], found);
        Assert.Equal([dir.File("top.wav")], AudioFileFinder.Find(dir.Path, recursive: false));
    }

    [Fact]
    public void A_symlink_loop_is_walked_once_and_reported()
    {
        using var dir = new TempDir();
        Touch(dir.File("root/a/x.wav"));
        Touch(dir.File("root/b/y.wav"));
        Directory.CreateSymbolicLink(dir.File("root/a/up"), dir.File("root"));      // loop back to the top
        Directory.CreateSymbolicLink(dir.File("root/b/again"), "../a");              // a second way into a/ (relative)
        Directory.CreateSymbolicLink(dir.File("root/b/self"), ".");                  // a folder linking to itself
        var warnings = new List<string>();

        var found = AudioFileFinder.Find(dir.File("root"), warnings.Add);

        Assert.Equal([dir.File("root/a/x.wav"), dir.File("root/b/y.wav")], found);
        Assert.Equal(3, warnings.Count);
        Assert.All(warnings, w => Assert.Contains("already searched; skipped", w));
        Assert.Contains(warnings, w => w.StartsWith(dir.File("root/a/up"), StringComparison.Ordinal));
    }

    [Fact]
    public void Two_loops_do_not_hang_convert_wav_or_training_and_each_file_is_converted_once()
    {
        using var dir = new TempDir();
        Touch(dir.File("src/a/x.wav"));
        Directory.CreateSymbolicLink(dir.File("src/a/loop1"), dir.File("src"));
        Directory.CreateSymbolicLink(dir.File("src/a/loop2"), dir.File("src/a"));

        var report = WavConverter.Run(new ConvertWavOptions { From = dir.File("src"), To = dir.File("out"), Jobs = 1 });

        Assert.Equal((1, 1), (report.Total, report.Converted));
        Assert.Equal([dir.File("src/a/x.wav")], TrainingFiles.Find(dir.File("src")));
    }

    [Fact]
    public void Real_paths_resolve_links_and_keep_missing_parts()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("real/sub"));
        Directory.CreateSymbolicLink(dir.File("link"), dir.File("real"));
        var real = FilePaths.Real(dir.Path);
        Assert.Equal(Path.Combine(real, "real", "sub"), FilePaths.Real(dir.File("link/sub")));
        Assert.Equal(Path.Combine(real, "real", "not", "yet"), FilePaths.Real(dir.File("link/not/yet")));
        Assert.Equal(Path.Combine(real, "real"), FilePaths.Real(dir.File("link/sub/..")));
    }

    [Fact]
    public void A_header_with_zero_channels_sorting_first_fails_only_itself_in_convert_wav()
    {
        using var dir = new TempDir();
        var bad = TestWav.File(TestWav.Pcm, 1, 16000, 16, new byte[64]);
        BinaryPrimitives.WriteUInt16LittleEndian(bad.AsSpan(22), 0);
        Directory.CreateDirectory(dir.File("src"));
        File.WriteAllBytes(dir.File("src/0-bad.wav"), bad);
        for (int i = 1; i <= 20; i++) Touch(dir.File($"src/{i:D2}.wav"));

        var report = WavConverter.Run(new ConvertWavOptions { From = dir.File("src"), To = dir.File("out"), Jobs = 2 });

        Assert.Equal((21, 20), (report.Total, report.Converted));
        var failure = Assert.Single(report.Failures);
        Assert.Equal(dir.File("src/0-bad.wav"), failure.Source);
        Assert.Contains("invalid WAV header (0 channels)", failure.Reason);
    }

    [Fact]
    public void Piped_wavs_are_converted_whole_with_one_warning_for_the_run()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 3; i++)
        {
            var bytes = TestWav.File(TestWav.Pcm, 1, 16000, 16, TestWav.Encode(TestWav.Sines(1, 1600, 16000), 16, false));
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 0xFFFFFFFF);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(40), 0xFFFFFFFF);
            Directory.CreateDirectory(dir.File("src"));
            File.WriteAllBytes(dir.File($"src/piped{i}.wav"), bytes);
        }
        var progress = new RecordingProgress();

        var report = WavConverter.Run(new ConvertWavOptions { From = dir.File("src"), To = dir.File("out"), Jobs = 2 }, progress);

        Assert.Equal(3, report.Converted);
        Assert.Equal(1600, WavFile.Read(dir.File("out/piped1.wav")).Frames);
        var warning = Assert.Single(progress.Messages);
        Assert.Contains("piped0.wav", warning);
        Assert.Contains("(and 2 more file(s) like it)", warning);
    }

    /// <summary>Runs a bash script (raw bytes in names and paths past PATH_MAX need relative steps, which .NET cannot take).</summary>
    static void Bash(string script)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash", ["-c", script]))!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void Names_that_cannot_be_opened_are_skipped_with_a_warning_not_in_silence()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDir();
        Touch(dir.File("ok.wav"));
        // A Latin-1 name (byte 0xE9) and a file 4200 bytes deep (17 folders of 240 bytes, made one relative step at a time).
        Bash($"cd '{dir.Path}' && cp ok.wav $'caf\\xe9.wav' && for i in $(seq 17); do d=$(printf 'd%.0s' $(seq 240)); mkdir $d && cd $d; done && cp '{dir.File("ok.wav")}' deep.wav");
        try
        {
            var warnings = new List<string>();
            var found = AudioFileFinder.Find(dir.Path, warnings.Add);
            Assert.Equal([dir.File("ok.wav")], found);
            Assert.Contains(warnings, w => w.Contains("not valid UTF-8"));
            Assert.Contains(warnings, w => w.Contains("too long") || w.Contains("longer than"));
        }
        finally { Bash($"rm -rf '{dir.Path}'/d*"); }   // .NET cannot delete past PATH_MAX either
        // Named on the command line, the Latin-1 name arrives with U+FFFD for its byte: the message says why it cannot be opened.
        var e = Assert.Throws<ByolAException>(() => ByolA.Data.EmbedderInputs.Expand([dir.File("caf\uFFFD.wav")]));
        Assert.Contains("not valid UTF-8", e.Message);
        Assert.Contains("not valid UTF-8", Assert.Throws<ByolAException>(() => AudioLoader.LoadMono(dir.File("caf\uFFFD.wav"), 16000)).Message);
    }
}
