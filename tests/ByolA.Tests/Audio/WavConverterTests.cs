using ByolA.Data;
using ByolA.Audio;
using ByolA.Progress;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Audio;

public class WavConverterTests
{
    /// <summary>A source tree of mixed formats plus one corrupt file and one non-WAV file.</summary>
    internal static void MakeTree(string root)
    {
        TestWav.Write(Path.Combine(root, "a", "stereo44k.wav"), TestWav.Sines(2, 11025, 44100, 300), 44100, 16, isFloat: false);
        TestWav.Write(Path.Combine(root, "b", "c", "u8.wav"), TestWav.Sines(1, 2000, 8000, 500), 8000, 8, isFloat: false);
        TestWav.Write(Path.Combine(root, "float.WAV"), TestWav.Sines(2, 4800, 48000, 700), 48000, 32, isFloat: true, extensible: true);
        TestWav.Write(Path.Combine(root, "d", "s24.wav"), TestWav.Sines(1, 5512, 22050, 900), 22050, 24, isFloat: false);
        TestWav.Write(Path.Combine(root, "mono16k.wav"), TestWav.Sines(1, 4000, 16000, 1100), 16000, 16, isFloat: false);
        File.WriteAllBytes(Path.Combine(root, "b", "corrupt.wav"), "RIFF\x10\0\0\0WAVEjunkjunk"u8.ToArray());
        File.WriteAllText(Path.Combine(root, "d", "notes.txt"), "not audio");
    }

    static readonly string[] Outputs = ["a/stereo44k.wav", "b/c/u8.wav", "d/s24.wav", "float.WAV", "mono16k.wav"];

    /// <summary>Relative path → bytes of every file below <paramref name="root"/>.</summary>
    internal static SortedDictionary<string, byte[]> Snapshot(string root) =>
        new(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes), StringComparer.Ordinal);

    static ConvertWavOptions Options(TempDir dir, int jobs = 2, bool overwrite = false) =>
        new() { From = dir.File("src"), To = dir.File("out"), Jobs = jobs, Overwrite = overwrite };

    [Fact]
    public void Converts_a_mixed_tree_and_lists_the_corrupt_file()
    {
        using var dir = new TempDir();
        MakeTree(dir.File("src"));
        var before = Snapshot(dir.File("src"));

        var report = WavConverter.Run(Options(dir));

        Assert.Equal((6, 5, 0), (report.Total, report.Converted, report.Skipped));
        var failure = Assert.Single(report.Failures);
        Assert.Equal(Path.Combine(dir.File("src"), "b", "corrupt.wav"), failure.Source);
        Assert.Contains("corrupt.wav", failure.Reason);
        Assert.False(report.Succeeded);

        Assert.Equal(Outputs, Snapshot(dir.File("out")).Keys);
        Assert.Equal(before, Snapshot(dir.File("src"))); // nothing written inside FROM
        var expectedFrames = new Dictionary<string, int>
        {
            ["a/stereo44k.wav"] = 4000, ["b/c/u8.wav"] = 4000, ["d/s24.wav"] = 4000, ["float.WAV"] = 1600, ["mono16k.wav"] = 4000,
        };
        foreach (var (relative, frames) in expectedFrames)
        {
            var audio = WavFile.Read(Path.Combine(dir.File("out"), relative));
            Assert.Equal(16000, audio.SampleRate);
            Assert.Single(audio.Channels);
            Assert.Equal(frames, audio.Frames);
        }
    }

    [Fact]
    public void Output_is_the_channel_mean_resampled_and_truncated_to_int16()
    {
        using var dir = new TempDir();
        MakeTree(dir.File("src"));
        WavConverter.Run(Options(dir));

        // Same rate: only the int16 requantisation trunc(s / 32768 · 32767).
        var source = WavFile.Read(dir.File("src/mono16k.wav")).Channels[0];
        var passthrough = File.ReadAllBytes(dir.File("out/mono16k.wav"));
        for (int i = 0; i < source.Length; i++)
            Assert.Equal((short)(source[i] * 32767f), BitConverter.ToInt16(passthrough, 44 + 2 * i));

        // 44.1 kHz stereo of 300 Hz and 600 Hz tones: the output is their mean at 16 kHz (to ~2e-3 away from the edges).
        var converted = WavFile.Read(dir.File("out/a/stereo44k.wav")).Channels[0];
        for (int i = 100; i < converted.Length - 100; i++)
        {
            double t = i / 16000.0;
            double expected = 0.8 * (Math.Sin(2 * Math.PI * 300 * t) + Math.Sin(2 * Math.PI * 600 * t)) / 2;
            Assert.True(Math.Abs(converted[i] - expected) < 2e-3, $"sample {i}: {converted[i]} vs {expected}");
        }

        // Bit for bit what the resampler gives for the channel mean.
        var stereo = WavFile.Read(dir.File("src/a/stereo44k.wav"));
        using var resampler = new Resampler(44100, 16000);
        using var y = resampler.forward(tensor(stereo.ToMono()));
        Assert.Equal(WavFile.ToPcm16(y.data<float>().ToArray()), WavConverter.ConvertAudio(stereo, 16000));
        Assert.Equal(WavConverter.ConvertAudio(stereo, 16000).Select(s => s / 32768f), converted);
    }

    [Fact]
    public void Host_and_torch_paths_agree_to_one_int16_step()
    {
        // The CPU path (PolyphaseResampler) and the GPU path (Resampler, run here on the CPU) round the same sums differently
        // in float32, which can move a truncated int16 sample by one; they must not differ by more.
        var stereo = new AudioData(TestWav.Sines(2, 44100, 44100, 523), 44100);
        var host = WavConverter.ConvertAudio(stereo, 16000);
        var torchPath = WavConverter.ConvertAudioWithTorch(stereo, 16000, CPU);
        using var resampler = new Resampler(44100, 16000);
        using var y = resampler.forward(tensor(stereo.ToMono()));
        Assert.Equal(WavFile.ToPcm16(y.data<float>().ToArray()), torchPath);
        Assert.Equal(16000, host.Length);
        Assert.Equal(torchPath.Length, host.Length);
        Assert.All(host.Zip(torchPath), p => Assert.InRange(p.First - p.Second, -1, 1));
    }

    [Fact]
    public void A_rerun_skips_complete_outputs_newer_than_their_source()
    {
        using var dir = new TempDir();
        MakeTree(dir.File("src"));
        WavConverter.Run(Options(dir));

        var again = WavConverter.Run(Options(dir));
        Assert.Equal((0, 5, 1), (again.Converted, again.Skipped, again.Failures.Count));

        File.SetLastWriteTimeUtc(dir.File("src/d/s24.wav"), DateTime.UtcNow.AddMinutes(5));
        var touched = WavConverter.Run(Options(dir));
        Assert.Equal((1, 4), (touched.Converted, touched.Skipped));

        var forced = WavConverter.Run(Options(dir, overwrite: true));
        Assert.Equal((5, 0), (forced.Converted, forced.Skipped));

        // A different target rate makes the existing outputs stale.
        var rate8k = WavConverter.Run(Options(dir) with { SampleRate = 8000 });
        Assert.Equal(5, rate8k.Converted);
        Assert.Equal(8000, WavFile.Read(dir.File("out/b/c/u8.wav")).SampleRate);
    }

    sealed class CancelAfter(int files, CancellationTokenSource cts) : IProgressReporter, IProgressTask
    {
        int done;
        public IProgressTask Start(string description, long total) => this;
        public void Message(string text) { }
        public void Advance(long steps = 1, string? status = null)
        {
            if (Interlocked.Add(ref done, (int)steps) >= files) cts.Cancel();
        }
        public void Dispose() { }
    }

    [Fact]
    public void An_interrupted_run_then_a_rerun_gives_the_same_tree_as_one_uninterrupted_run()
    {
        using var dir = new TempDir();
        MakeTree(dir.File("src"));
        WavConverter.Run(Options(dir) with { To = dir.File("reference") });
        var reference = Snapshot(dir.File("reference"));

        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => WavConverter.Run(Options(dir, jobs: 1), new CancelAfter(2, cts), cts.Token));
        var partial = Snapshot(dir.File("out"));
        Assert.InRange(partial.Count, 1, 4);
        Assert.All(partial, p => Assert.Equal(reference[p.Key], p.Value)); // whatever exists is complete

        // What a kill could leave: a temp file mid-write, and (from some other tool) a truncated output.
        File.WriteAllBytes(dir.File("out/mono16k.wav" + AtomicFile.TempMarker + "0badc0de"), reference["mono16k.wav"][..100]);
        Directory.CreateDirectory(dir.File("out/d"));
        File.WriteAllBytes(dir.File("out/d/s24.wav"), reference["d/s24.wav"][..1000]);

        var rerun = WavConverter.Run(Options(dir));
        Assert.Equal(1, rerun.StaleTempFilesRemoved);
        Assert.Equal(5, rerun.Converted + rerun.Skipped);
        Assert.Equal(reference, Snapshot(dir.File("out")));
    }

    [Fact]
    public void Parallel_and_sequential_runs_write_identical_files()
    {
        using var dir = new TempDir();
        MakeTree(dir.File("src"));
        WavConverter.Run(Options(dir, jobs: 1) with { To = dir.File("one") });
        WavConverter.Run(Options(dir, jobs: 4) with { To = dir.File("four") });
        Assert.Equal(Snapshot(dir.File("one")), Snapshot(dir.File("four")));
    }

    [Fact]
    public void Destination_inside_or_equal_to_the_source_is_refused()
    {
        using var dir = new TempDir();
        MakeTree(dir.File("src"));
        var before = Snapshot(dir.File("src"));
        var inside = Assert.Throws<ByolAException>(() => WavConverter.Run(Options(dir) with { To = dir.File("src/sub/out") }));
        Assert.Contains("inside FROM", inside.Message);
        var same = Assert.Throws<ByolAException>(() => WavConverter.Run(Options(dir) with { To = dir.File("src") + "/" }));
        Assert.Contains("the same folder as FROM", same.Message);
        Assert.Equal(before, Snapshot(dir.File("src")));
        // A sibling whose name merely starts like FROM is fine.
        Assert.Equal(5, WavConverter.Run(Options(dir) with { To = dir.File("src2") }).Converted);
    }

    [Fact]
    public void Symlinks_never_lead_the_outputs_into_the_source()
    {
        if (OperatingSystem.IsWindows()) return; // creating symbolic links needs privileges there
        using var dir = new TempDir();
        MakeTree(dir.File("src"));
        var before = Snapshot(dir.File("src"));

        // TO is a link to FROM: the originals would be overwritten by their 16 kHz mono conversions.
        Directory.CreateSymbolicLink(dir.File("link-to-src"), dir.File("src"));
        var same = Assert.Throws<ByolAException>(() => WavConverter.Run(Options(dir) with { To = dir.File("link-to-src") }));
        Assert.Contains("the same folder as FROM", same.Message);

        // FROM is reached through the link and TO is a new folder inside the real FROM: a rerun would nest out/out/...
        var inside = Assert.Throws<ByolAException>(() => WavConverter.Run(Options(dir) with { From = dir.File("link-to-src"), To = dir.File("src/out") }));
        Assert.Contains("inside FROM", inside.Message);
        Assert.False(Directory.Exists(dir.File("src/out")));

        // A link below TO that points into FROM receives nothing: the files that would land there are failures.
        Directory.CreateDirectory(dir.File("out"));
        Directory.CreateSymbolicLink(dir.File("out/a"), dir.File("src/a"));
        var report = WavConverter.Run(Options(dir));
        Assert.Contains(report.Failures, f => f.Source.EndsWith("stereo44k.wav") && f.Reason.Contains("inside the source folder"));
        Assert.Equal(before, Snapshot(dir.File("src")));
    }

    [Fact]
    public void A_link_in_the_source_that_leads_to_the_output_does_not_make_outputs_inputs()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDir();
        MakeTree(dir.File("src"));
        Directory.CreateDirectory(dir.File("outside"));
        Directory.CreateSymbolicLink(dir.File("src/lnk"), dir.File("outside"));
        // TO is SRC/lnk/out: inside SRC by its written path, outside it by its real one.
        var options = Options(dir) with { To = dir.File("src/lnk/out") };
        var first = WavConverter.Run(options);
        var tree = Directory.GetFiles(dir.File("outside/out"), "*", SearchOption.AllDirectories).Order().ToList();
        var again = WavConverter.Run(options);
        Assert.Equal(first.Converted + first.Failures.Count, again.Total);     // the outputs were not found as inputs
        Assert.Equal(tree, Directory.GetFiles(dir.File("outside/out"), "*", SearchOption.AllDirectories).Order());
        Assert.False(Directory.Exists(dir.File("outside/out/lnk")));
        var warnings = new List<string>();
        ByolA.Data.AudioFileFinder.Find(dir.File("src"), warnings.Add, outputFolder: ByolA.Data.FilePaths.Real(dir.File("src/lnk/out")));
        Assert.Contains(warnings, w => w.Contains("leads into the output folder"));
    }

    [Fact]
    public void Bad_options_are_clear_errors()
    {
        using var dir = new TempDir();
        Assert.Contains("folder not found", Assert.Throws<ByolAException>(() => WavConverter.Run(Options(dir))).Message);
        Directory.CreateDirectory(dir.File("src"));
        Assert.Equal(nameof(ConvertWavOptions.Jobs), Assert.Throws<OptionException>(() => WavConverter.Run(Options(dir, jobs: 0))).Option);
        Assert.Equal(nameof(ConvertWavOptions.SampleRate), Assert.Throws<OptionException>(() => WavConverter.Run(Options(dir) with { SampleRate = 0 })).Option);
        var empty = WavConverter.Run(Options(dir));
        Assert.Equal((0, 0, true), (empty.Total, empty.Converted, empty.Succeeded));
    }

    [Fact]
    public void Explicit_pairs_never_write_into_the_protected_folder()
    {
        using var dir = new TempDir();
        MakeTree(dir.File("src"));
        var report = WavConverter.ConvertFiles(
            [(dir.File("src/mono16k.wav"), dir.File("src/again.wav")), (dir.File("src/mono16k.wav"), dir.File("elsewhere/x.wav"))],
            16000, 2, overwrite: false, protectedFolder: dir.File("src"));
        Assert.Equal(1, report.Converted);
        Assert.Contains("inside the source folder", Assert.Single(report.Failures).Reason);
        Assert.False(File.Exists(dir.File("src/again.wav")));
    }

    [Fact]
    public void An_unsupported_rate_pair_fails_only_its_files()
    {
        using var dir = new TempDir();
        TestWav.Write(dir.File("src/odd.wav"), TestWav.Sines(1, 100, 44101), 44101, 16, isFloat: false);
        TestWav.Write(dir.File("src/fine.wav"), TestWav.Sines(1, 100, 32000), 32000, 16, isFloat: false);
        TestWav.Write(dir.File("src/.hidden.wav"), TestWav.Sines(1, 100, 32000), 32000, 16, isFloat: false);
        var report = WavConverter.Run(Options(dir));
        Assert.Equal((2, 1), (report.Total, report.Converted));
        var failure = Assert.Single(report.Failures);
        Assert.StartsWith(dir.File("src/odd.wav") + ": resampling 44101 Hz", failure.Reason);
    }
}
