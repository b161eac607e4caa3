using ByolA.Cli;
using ByolA.Tests.Support;
using static ByolA.Tests.Support.CliRunner;

namespace ByolA.Tests.Cli;

/// <summary>
/// Issue 11 items 15 and 17 through the CLI entry point: every usage error exits 2 with one line blaming the flag (not
/// the config file), and requests that cannot work are refused before any work with the limit.
/// </summary>
public class UsageErrorTests
{
    static (int Code, string Err) Usage(params string[] args)
    {
        var (code, _, err) = Run(args);
        return (code, err);
    }

    static void AssertUsage(string expected, params string[] args)
    {
        var (code, err) = Usage(args);
        Assert.True(code == ExitCodes.Usage, $"exit {code}: {err}");
        var first = err.Split('\n')[0];
        Assert.StartsWith("error: ", first);
        Assert.Contains(expected, first);
        Assert.DoesNotContain("config.yaml", err);
        Assert.DoesNotContain("built-in", err);
    }

    [Theory]
    [InlineData("--lr must be a number in (0, 1000] (got -1)", "--lr", "-1")]
    [InlineData("--lr must be a number in (0, 1000] (got 1E+308)", "--lr", "1e308")]
    [InlineData("--epochs must be > 0 (got 0)", "--epochs", "0")]
    [InlineData("--bs must be > 0", "--bs", "0")]
    [InlineData("--set lr=abc: key 'lr' expects a number, got 'abc'", "--set", "lr=abc")]
    [InlineData("--set lr must be a number in (0, 1000] (got -2)", "--set", "lr=-2")]
    [InlineData("--set nope=1: unknown key 'nope'", "--set", "nope=1")]
    [InlineData("--workers must be a positive number (got 0)", "--workers", "0")]
    [InlineData("--device 'gpu' is not a device", "--device", "gpu")]
    public void Train_blames_the_flag_that_gave_a_bad_value(string expected, string flag, string value)
    {
        using var dir = new TempDir();
        AssertUsage(expected, "train", dir.Path, flag, value, "--config", "v1");
    }

    [Fact]
    public void A_flag_wins_over_the_config_file_and_a_bad_file_value_is_blamed_on_the_file()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("bad.yaml"), "lr: -1\n");
        var (code, err) = Usage("train", dir.File("audio"), "--config", dir.File("bad.yaml"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.StartsWith($"error: {dir.File("bad.yaml")}: key 'lr' must be a number in (0, 1000] (got -1)", err);
        // A check after reading the config (v2's smallest d) also blames the file's value on the file, not on --d.
        File.WriteAllText(dir.File("v2.yaml"), "model: AudioNTT2022\nfeature_d: 512\n");
        (code, err) = Usage("train", dir.Path, "--config", dir.File("v2.yaml"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.StartsWith("error: config key 'feature_d' must exceed", err);
        // A list where one value belongs is the file's fault, named with its line, never the flag's that was not given.
        File.WriteAllText(dir.File("list.yaml"), "bs: [1,2]\n");
        (code, err) = Usage("train", dir.Path, "--config", dir.File("list.yaml"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.StartsWith($"error: {dir.File("list.yaml")}:1: key 'bs' expects one value, an integer, not a list", err);
        Assert.DoesNotContain("--bs", err);
        // With --lr the file's value is replaced, so the run gets past the config to the missing audio folder.
        (code, err) = Usage("train", dir.File("audio"), "--config", dir.File("bad.yaml"), "--lr", "0.001");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("audio folder not found", err);
    }

    [Fact]
    public void Evaluate_blames_its_probe_flags_and_arguments()
    {
        using var dir = new TempDir();
        var weights = dir.File("w.pth"); // never read: values are checked before any file
        AssertUsage("--batch must be > 0 (got 0)", "evaluate", weights, "spcv2", "--batch", "0");
        AssertUsage("--lr must be a number in (0, 1000] (got -1)", "evaluate", weights, "spcv2", "--lr", "-1");
        AssertUsage("--lr must be a number in (0, 1000] (got 1E+308)", "evaluate", weights, "spcv2", "--lr", "1e308");
        AssertUsage("--epochs must be > 0 (got 0)", "evaluate", weights, "spcv2", "--epochs", "0");
        AssertUsage("UNIT_SEC must be in (0, 600] seconds (got 0)", "evaluate", weights, "spcv2", "0");
        AssertUsage("REPEAT must be > 0 (got 0)", "evaluate", weights, "spcv2", "1", "0");
        AssertUsage("--audio-dir goes with --metadata", "evaluate", weights, "spcv2", "--audio-dir", dir.Path);
        AssertUsage("TASK 'esc99' is not a known task", "evaluate", weights, "esc99");
    }

    [Fact]
    public void Other_verbs_blame_their_flags()
    {
        using var dir = new TempDir();
        AssertUsage("--sample-rate must be a positive number of Hz (got 0)", "convert-wav", dir.Path, dir.File("out"), "--sample-rate", "0");
        AssertUsage("--split-csv applies to voxforge and cremad only", "preprocess", "spcv2", dir.Path, "--split-csv", dir.File("s.csv"));
        AssertUsage("TASK 'nosuch' is not a known task", "preprocess", "nosuch", dir.Path);
        AssertUsage("--epochs must be in [1, 10000] (got 0)", "demo", "--epochs", "0", "--out", dir.Path);
        AssertUsage("--background-db must satisfy -60 <= low <= high < 0 dB (got -1, -3)", "demo", "--background-db", "-1,-3", "--data-only", "--out", dir.Path);
        AssertUsage("--background-db: expected LO,HI in dB", "demo", "--background-db", "loud", "--data-only", "--out", dir.Path);
        AssertUsage("--probe-batch must be > 0 (got 0)", "demo", "--probe-batch", "0", "--data-only", "--out", dir.Path);
        AssertUsage("--hop-ms applies to timestamped embeddings only: it needs --timestamps", "embed", dir.File("w.pth"), dir.Path, "--hop-ms", "20");
        AssertUsage("OUT must be a file name ending in .onnx", "export", dir.File("w.pth"), dir.File("w.txt"));
        AssertUsage("--frontend puts the front end in the graph", "export", dir.File("w.pth"), dir.File("w.onnx"), "--frontend");
        AssertUsage("--d must exceed the v2 encoder's conv width 64·n_mels/4 = 1024 (got 512)", "train", dir.Path, "--config", "v2", "--d", "512");
        AssertUsage("--out must be a file name ending in .npy, .csv or .npz", "merge-embeddings", dir.File("a.npz"), "--out", dir.File("m.txt"));
    }

    [Theory]
    [InlineData("preprocess", "spcv2", "DIR")]
    [InlineData("convert-wav", "DIR", "DIR/out")]
    [InlineData("train", "DIR")]
    [InlineData("evaluate", "DIR/w.pth", "spcv2")]
    [InlineData("embed", "DIR/w.pth", "DIR")]
    [InlineData("export", "DIR/w.pth", "DIR/w.onnx")]
    [InlineData("demo")]
    [InlineData("runtime")]
    public void Every_verb_refuses_bad_thread_counts_and_devices_with_exit_2(params string[] verbAndArgs)
    {
        using var dir = new TempDir();
        var args = verbAndArgs.Select(a => a.Replace("DIR", dir.Path)).ToArray();
        AssertUsage("--threads must be a positive number (got 0)", [.. args, "--threads", "0"]);
        AssertUsage("--threads asks for 100000 threads; at most", [.. args, "--threads", "100000"]);
        AssertUsage("--device 'gpu' is not a device: use auto, cpu, cuda or cuda:N", [.. args, "--device", "gpu"]);
    }

    [Theory]
    [InlineData("preprocess", "spcv2", "DIR")]
    [InlineData("convert-wav", "DIR", "DIR/out")]
    [InlineData("train", "DIR")]
    [InlineData("evaluate", "DIR/w.pth")]
    [InlineData("embed", "DIR/w.pth", "DIR")]
    [InlineData("merge-embeddings", "DIR/a.npz", "--out", "DIR/m.npz")]
    [InlineData("export", "DIR/w.pth", "DIR/w.onnx")]
    [InlineData("demo")]
    [InlineData("runtime")]
    [InlineData("report")]
    public void Every_verb_refuses_an_unknown_option_with_exit_2(params string[] verbAndArgs)
    {
        using var dir = new TempDir();
        var args = verbAndArgs.Select(a => a.Replace("DIR", dir.Path)).Append("--frobnicate").ToArray();
        var (code, err) = Usage(args);
        Assert.True(code == ExitCodes.Usage, $"exit {code}: {err}");
        Assert.Contains("--frobnicate", err.Split('\n')[0]);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void An_argument_starting_with_a_dash_is_read_as_one_after_double_dash()
    {
        using var dir = new TempDir();
        var (code, err) = Usage("embed", dir.File("w.pth"), "--stats", "0,1", "--", "-odd.wav");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("-odd.wav", err);
        Assert.DoesNotContain("unknown option", err);
    }

    [Fact]
    public void Impossible_resource_requests_are_refused_up_front_with_the_limit()
    {
        using var dir = new TempDir();
        int maxClips = Array.MaxLength / 15200; // unit_sec 0.95 at 16 kHz
        AssertUsage($"--batch asks for batches of 2147483647 clips; clips of 15200 samples fit one batch array only up to {maxClips} clips",
            "embed", dir.File("w.pth"), dir.Path, "--batch", "2147483647", "--config", "v1");
        AssertUsage("--embed-batch asks for batches of 2147483647 clips", "evaluate", dir.File("w.pth"), "spcv2", "--embed-batch", "2147483647");
        AssertUsage("--unit-sec must be at most 134217.724 s at 16000 Hz", "embed", dir.File("w.pth"), dir.Path, "--unit-sec", "1e10");
        AssertUsage("--d asks for more memory than this machine has", "train", dir.Path, "--d", "100000000", "--config", "v1");
        AssertUsage("--bs asks for batches of 2147483647 clips", "train", dir.Path, "--bs", "2147483647", "--config", "v1");
        AssertUsage("--jobs asks for 100000 threads", "convert-wav", dir.Path, dir.File("out"), "--jobs", "100000");
        AssertUsage("--workers asks for 100000 threads", "train", dir.Path, "--workers", "100000", "--config", "v1");
        Assert.False(Directory.Exists(dir.File("out")));
        Assert.False(Directory.Exists(dir.File("checkpoints")));
    }

    [Fact]
    public void A_batch_whose_encoder_activations_exceed_memory_is_refused_though_its_audio_fits()
    {
        // Pick the batch so the audio held at once (3 batches of float samples, all the old check saw) is a fifth of
        // this machine's memory while the encoder's first activations (64 channels × 64 mel bins per 160 samples)
        // need several times all of it: an hour-long unit at batch 4 was killed by the kernel at 22.7 GB.
        using var dir = new TempDir();
        const int unitSamples = 3600 * 16000;
        int batch = (int)Math.Max(1, ByolA.Runtime.ResourceLimits.MemoryBytes / 5 / (12.0 * unitSamples));
        var options = new ByolA.Embedding.EmbedderOptions { BatchSize = batch, Config = ByolA.Configuration.ByolAConfig.V1 with { UnitSec = 3600 } };
        ByolA.Runtime.ResourceLimits.RequireClipBatch("BatchSize", batch, unitSamples, options.PrefetchBatches + 1);   // the old check passes
        Assert.Contains("the encoder's activations", Assert.Throws<OptionException>(() => options.Validate()).Message);
        AssertUsage("--batch asks for more memory than this machine has: the encoder's activations for", "embed", dir.File("w.pth"), dir.Path,
            "--unit-sec", "3600", "--batch", batch.ToString(), "--config", "v1");
        AssertUsage("--embed-batch asks for more memory than this machine has: the encoder's activations for", "evaluate", dir.File("w.pth"), "spcv2", "600",
            "--embed-batch", (6 * batch).ToString());   // evaluate's longest unit is 600 s
        // The default batch of one-second clips is far from it.
        new ByolA.Embedding.EmbedderOptions().Validate();
    }
}
