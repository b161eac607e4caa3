using ByolA.Audio;
using ByolA.Tests.Embedding;
using ByolA.Embedding;
using ByolA.Embedding.Formats;
using System.IO.Compression;
using ByolA.Cli;
using ByolA.Configuration;
using ByolA.Tests.Support;
using static ByolA.Tests.Support.CliRunner;
using static TorchSharp.torch;

namespace ByolA.Tests.Cli;

/// <summary>embed --timestamps / --hop-ms / --whole / --shard and merge-embeddings, through the command line.</summary>
public class EmbedWholeFileCommandTests
{
    static readonly NormStats Stats = new(-6, 4);

    /// <summary>One member of an .npz archive: its values and shape.</summary>
    internal static T[] Member<T>(string npz, string name, out long[] shape) where T : unmanaged
    {
        using var zip = ZipFile.OpenRead(npz);
        using var s = zip.GetEntry(name + ".npy")!.Open();
        var header = NpyFormat.ReadHeader(s, name);
        shape = header.Shape;
        return NpyFormat.ReadValues<T>(s, header.Count);
    }

    static string[] Files(string npz)
    {
        using var zip = ZipFile.OpenRead(npz);
        using var s = zip.GetEntry("files.npy")!.Open();
        return NpyFormat.ReadStrings(s, NpyFormat.ReadHeader(s, "files"), "files");
    }

    [Fact]
    public void Timestamps_give_every_file_its_frames_at_the_encoder_rate_with_centre_times()
    {
        using var tmp = new TempDir();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        var files = EmbedderTestAudio.WriteClips(tmp.File("audio"), 2.5, 0.04, 1.0);
        var (code, output, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--timestamps", "--out", tmp.File("t.npz"),
            "--stats", Stats.ToString(), "--device", "cpu", "--threads", "1");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("zero-padded", err);                                  // the 40 ms clip is shorter than 8 log-mel frames
        // 2.5 s: 251 log-mel frames → 31 frames; 40 ms: padded → 1; 1.0 s: 101 → 12.
        Assert.Equal([0L, 31, 32, 44], Member<long>(tmp.File("t.npz"), "offsets", out _));
        var times = Member<float>(tmp.File("t.npz"), "timestamps", out _);
        Assert.Equal(35f, times[0]);
        Assert.Equal(35f + 80 * 30, times[30]);
        Assert.Equal(35f, times[31]);
        var emb = Member<float>(tmp.File("t.npz"), "embeddings", out var shape);
        Assert.Equal(new long[] { 44, 32 }, shape);
        Assert.Equal(files, Files(tmp.File("t.npz")));

        // Rows of file 0 are its frames computed directly.
        using var frames = new FrameEmbedder(encoder, Stats, ByolAConfig.V1);
        using var expected = frames.Frames(EmbedderTestAudio.ReadBack(files[0]));
        using var got = tensor(emb[..(31 * 32)], [31, 32]);
        Assert.True(got.allclose(expected, rtol: 1e-5, atol: 1e-6));

        (code, _, err) = Run("embed", tmp.File("w.pth"), files[0], "--timestamps", "--hop-ms", "250", "--out", tmp.File("w.npz"),
            "--stats", Stats.ToString(), "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal([475f, 725f, 975f, 1225f, 1475f, 1725f, 1975f], Member<float>(tmp.File("w.npz"), "timestamps", out _));
    }

    [Fact]
    public void Whole_gives_one_row_per_file_pooled_over_all_frames()
    {
        using var tmp = new TempDir();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        var files = EmbedderTestAudio.WriteClips(tmp.File("audio"), 3.0, 0.5);
        var (code, output, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--whole", "--out", tmp.File("e.npy"),
            "--stats", Stats.ToString(), "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        using var e = EmbedderOutput.ReadNpy(tmp.File("e.npy"));
        Assert.Equal(new long[] { 2, 32 }, e.shape);
        using var frames = new FrameEmbedder(encoder, Stats, ByolAConfig.V1);
        using var expected = frames.Whole(EmbedderTestAudio.ReadBack(files[0]));
        Assert.True(e[0].allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    /// <remarks>
    /// Batch size 2 cuts 5 clips into batches of 2, 2 and 1; oneDNN encodes a batch of 1 with other kernels than a
    /// batch of 2, so a shard that encoded a clip in another batch shape than the unsharded run would differ in the
    /// last bit. With <paramref name="isa"/> the runs are child processes limited to that instruction set, so the
    /// test covers AVX2 kernels on an AVX-512 CPU too (and in-process, whatever this CPU has).
    /// </remarks>
    [Theory]
    [InlineData("--timestamps", "all.npz", null)]
    [InlineData(null, "all.npy", null)]
    [InlineData(null, "all.npy", "AVX2")]
    public void Sharded_parts_merge_into_the_bytes_of_the_unsharded_run(string? mode, string outName, string? isa)
    {
        using var tmp = new TempDir();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.6, 1.7, 0.3, 1.1, 0.9);
        string[] Args(string out_, params string[] more) =>
            [.. new[] { "embed", tmp.File("w.pth"), tmp.File("audio"), "--out", tmp.File(out_), "--device", "cpu", "--batch", "2" }, .. more, .. (mode == null ? [] : new[] { mode })];
        (int, string, string) Embed(string[] args) =>
            isa == null ? Run(args) : RunChild(new Dictionary<string, string> { ["ONEDNN_MAX_CPU_ISA"] = isa }, args);
        var (code, _, err) = Embed(Args(outName));
        Assert.True(code == ExitCodes.Ok, err);
        var parts = new List<string>();
        for (int k = 1; k <= 3; k++)
        {
            parts.Add(tmp.File($"part{k}.npz"));
            (code, _, err) = Embed(Args($"part{k}.npz", "--shard", $"{k}/3"));
            Assert.True(code == ExitCodes.Ok, err);
            Assert.Contains($"shard {k}/3", err);
        }
        parts.Reverse();
        (code, _, err) = Run(["merge-embeddings", .. parts, "--out", tmp.File("merged" + Path.GetExtension(outName))]);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal(File.ReadAllBytes(tmp.File(outName)), File.ReadAllBytes(tmp.File("merged" + Path.GetExtension(outName))));
    }

    /// <summary>Parts of runs with other weights, stats, settings or inputs have the same shapes and shard marks; each part records its run.</summary>
    [Theory]
    [InlineData("weights", "other weights")]
    [InlineData("stats", "other normalisation stats")]
    [InlineData("unit", "other settings")]
    [InlineData("inputs", "another input list")]
    public void Parts_of_different_runs_are_not_merged(string change, string said)
    {
        using var tmp = new TempDir();
        using (EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"))) { }
        using (EmbedderTestAudio.TinyEncoder(tmp.File("w2.pth"), seed: 12)) { }
        EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.6, 1.7, 0.3, 1.1);
        EmbedderTestAudio.WriteClips(tmp.File("audio2"), 0.6, 1.7, 0.3, 1.2);
        string[] Args(int k, bool changed) =>
        [
            "embed", tmp.File(changed && change == "weights" ? "w2.pth" : "w.pth"), tmp.File(changed && change == "inputs" ? "audio2" : "audio"),
            "--out", tmp.File($"p{k}.npz"), "--device", "cpu", "--batch", "2", "--shard", $"{k}/2",
            "--stats", changed && change == "stats" ? "-6,4.5" : "-6,4", "--unit-sec", changed && change == "unit" ? "0.9" : "1.0",
        ];
        Assert.Equal(ExitCodes.Ok, Run(Args(1, changed: false)).Code);
        Assert.Equal(ExitCodes.Ok, Run(Args(2, changed: true)).Code);
        var (code, _, err) = Run(["merge-embeddings", tmp.File("p1.npz"), tmp.File("p2.npz"), "--out", tmp.File("m.npz")]);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("made by another run", err);
        Assert.Contains(said, err);
        Assert.False(File.Exists(tmp.File("m.npz")));
        // The same run's parts still merge.
        Assert.Equal(ExitCodes.Ok, Run(Args(2, changed: false)).Code);
        (code, _, err) = Run(["merge-embeddings", tmp.File("p1.npz"), tmp.File("p2.npz"), "--out", tmp.File("m.npz")]);
        Assert.True(code == ExitCodes.Ok, err);
    }

    [Theory]
    [InlineData("--timestamps", "--out", "x.npy")]
    [InlineData("--whole", "--timestamps", "--out", "x.npz")]
    [InlineData("--hop-ms", "5", "--timestamps", "--out", "x.npz")]
    [InlineData("--hop-ms", "50", "--out", "x.npz")]
    [InlineData("--shard", "4/3", "--out", "x.npz")]
    [InlineData("--shard", "1/3", "--out", "x.npy")]
    [InlineData("--whole", "--layered", "--out", "x.npy")]
    public void Contradictory_or_invalid_flags_are_usage_errors(params string[] flags)
    {
        using var tmp = new TempDir();
        var (code, _, err) = Run(["embed", tmp.File("w.pth"), tmp.Path, "--device", "cpu", .. flags]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: ", err);
    }
}
