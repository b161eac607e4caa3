using ByolA.Audio;
using ByolA.Tests.Embedding;
using ByolA.Embedding;
using ByolA.Embedding.Formats;
using ByolA.Weights;
using static ByolA.Tests.Support.CliRunner;
using ByolA.Cli;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Cli;

public class EmbedCommandTests
{
    [Fact]
    public void Embeds_a_folder_to_npy_with_a_file_list_using_stats_from_the_inputs()
    {
        using var tmp = new TempDir();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("tiny-d32.pth"));
        var files = EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5, 1.2, 0.9);
        var (code, output, err) = Run("embed", tmp.File("tiny-d32.pth"), tmp.File("audio"), "--out", tmp.File("out/e.npy"), "--batch", "2", "--device", "cpu", "--threads", "1");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("3 × 32", output);
        Assert.Contains("normalisation stats from the inputs", err);
        using var e = EmbedderOutput.ReadNpy(tmp.File("out/e.npy"));
        Assert.Equal(new long[] { 3, 32 }, e.shape);
        Assert.Equal(files, EmbedderOutput.ReadFileList(tmp.File("out/e.files.npy")));

        // The same stats given explicitly give the same embeddings.
        var stats = NormStatsCalculator.Compute(files, ByolA.Configuration.ByolAConfig.V1);
        (code, _, err) = Run("embed", tmp.File("tiny-d32.pth"), tmp.File("audio"), "--out", tmp.File("again.npy"), "--stats", stats.ToString(), "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        using var again = EmbedderOutput.ReadNpy(tmp.File("again.npy"));
        Assert.True(again.allclose(e, rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void Csv_frames_and_layered_outputs()
    {
        using var tmp = new TempDir();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        var files = EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5, 1.0);
        var (code, _, err) = Run("embed", tmp.File("w.pth"), files[0], files[1], "--out", tmp.File("f.csv"), "--frames", "--unit-sec", "1.0", "--stats", "-6,4", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        var lines = File.ReadAllLines(tmp.File("f.csv"));
        Assert.Equal(1 + 2 * 12, lines.Length); // 101 frames / 8 = 12 per file
        Assert.StartsWith("file,frame,e0,", lines[0]);
        Assert.Equal(2 + 32, lines[1].Split(',').Length);

        (code, _, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--out", tmp.File("l.npy"), "--layered", "--stats", "-6,4", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        using var layered = EmbedderOutput.ReadNpy(tmp.File("l.npy"));
        Assert.Equal(new long[] { 2, 2048 + 1024 + 512 + 32 + 32 }, layered.shape);
    }

    [Fact]
    public void V2_weights_embed_with_their_own_width_and_frame_rate()
    {
        using var tmp = new TempDir();
        TorchSharp.torch.manual_seed(3);
        using (var v2 = new ByolA.Models.AudioNTT2022(64, 1024 + 40, 24))
            ByolA.Weights.EncoderWeights.Save(v2, tmp.File("v2.pth"));
        EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5, 1.1);
        var (code, output, err) = Run("embed", tmp.File("v2.pth"), tmp.File("audio"), "--out", tmp.File("v2.npy"), "--frames", "--stats", "-6,4", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("AudioNTT2022", output);
        using var e = EmbedderOutput.ReadNpy(tmp.File("v2.npy"));
        Assert.Equal(new long[] { 2, 24, 1064 }, e.shape);
    }

    [Fact]
    public void Bad_audio_stops_with_a_hint_unless_skip_bad_is_given()
    {
        using var tmp = new TempDir();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5, 0.6);
        var bad = tmp.File("audio/broken.wav");
        File.WriteAllText(bad, "RIFF....");
        var (code, _, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--out", tmp.File("e.npy"), "--stats", "-6,4", "--device", "cpu");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains(bad, err);
        Assert.Contains("--skip-bad", err);
        Assert.False(File.Exists(tmp.File("e.npy")));

        (code, var output, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--out", tmp.File("e.npy"), "--skip-bad", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("skipped 1 unreadable file(s)", err);
        Assert.Contains(bad, err);
        Assert.Contains("2 × 32", output);
        Assert.Equal(2, EmbedderOutput.ReadFileList(tmp.File("e.files.npy")).Length);
    }

    [Theory]
    [InlineData("--stats", "abc")]
    [InlineData("--batch", "0")]
    [InlineData("--out", "e.txt")]
    [InlineData("--unit-sec", "-1")]
    public void Command_line_mistakes_are_usage_errors(string option, string value)
    {
        using var tmp = new TempDir();
        var (code, _, err) = Run("embed", tmp.File("w.pth"), tmp.Path, option, value, "--device", "cpu");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(option, err);
    }

    [Fact]
    public void Stats_and_stats_from_together_are_a_usage_error_and_bad_weights_a_failure()
    {
        using var tmp = new TempDir();
        EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5);
        var (code, _, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--stats", "0,1", "--stats-from", tmp.File("audio"));
        Assert.Equal(ExitCodes.Usage, code);
        File.WriteAllText(tmp.File("w.pth"), "nope");
        (code, _, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--stats", "0,1", "--device", "cpu");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains(tmp.File("w.pth"), err);
    }

    [Fact]
    public void Help_explains_the_options()
    {
        var (code, output, _) = Run("embed", "--help");
        Assert.Equal(ExitCodes.Ok, code);
        foreach (var option in new[] { "--out", "--stats", "--stats-from", "--unit-sec", "--layered", "--frames", "--batch", "--skip-bad", "--random-crop" })
            Assert.Contains(option, output);
    }
}
