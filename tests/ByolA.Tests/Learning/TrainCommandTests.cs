using ByolA.Data;
using static ByolA.Tests.Support.CliRunner;
using ByolA.Audio;
using ByolA.Cli;
using ByolA.Tests.Support;

namespace ByolA.Tests.Learning;

/// <summary>The <c>byola train</c> verb end to end (tiny model, CPU).</summary>
[Collection(TorchRngCollection.Name)]
public class TrainCommandTests
{
    [Fact]
    public void Trains_with_flag_overrides_and_reports_the_outputs()
    {
        using var dir = new TempDir();
        for (int k = 0; k < 4; k++)
        {
            var x = Enumerable.Range(0, 16000).Select(i => (float)(0.2 * Math.Sin(2 * Math.PI * (300 + 100 * k) * i / 16000))).ToArray();
            Directory.CreateDirectory(dir.File("audio/sub"));
            WavFile.WritePcm16(dir.File($"audio/sub/c{k}.wav"), x, 16000);
        }
        var (code, output, err) = Run("train", dir.File("audio"), "--config", "v1", "--d", "64", "--epochs", "1", "--bs", "4", "--lr", "0.001",
            "--seed", "3", "--set", "proj_dim=32", "--set", "proj_size=16", "--device", "cpu", "--threads", "1", "--out", dir.File("out"),
            "--tensorboard", dir.File("tb"));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("TensorBoard: " + dir.File("tb"), output);
        Assert.Single(Directory.GetFiles(dir.File("tb"), "events.out.tfevents.*"));
        Assert.Contains("trained 1 epoch(s), final loss ", output);
        Assert.Contains("BYOLA-NTT2020d64s64x96-", output);
        Assert.Contains("-e1-bs4-lr001-rs3.pth", output);
        Assert.Contains("epoch 1/1: loss ", err);
        Assert.True(File.Exists(dir.File("out/checkpoint.pth")));
        Assert.True(File.Exists(dir.File("out/train_log.csv")));
    }

    [Fact]
    public void A_negative_picture_interval_is_a_usage_error_naming_the_flag()
    {
        using var dir = new TempDir();
        var (code, _, err) = Run("train", dir.Path, "--config", "v1", "--device", "cpu", "--tensorboard", dir.File("tb"), "--tensorboard-images", "-1");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--tensorboard-images", err);
    }

    [Fact]
    public void The_config_keys_num_workers_and_gpus_are_read()
    {
        using var dir = new TempDir();
        for (int k = 0; k < 2; k++)
            WavFile.WritePcm16(dir.File($"audio/c{k}.wav"), Enumerable.Range(0, 16000).Select(i => (float)(0.2 * Math.Sin(0.05 * (k + 1) * i))).ToArray(), 16000);
        string[] Args(string key, string value, string outName) =>
            ["train", dir.File("audio"), "--d", "64", "--epochs", "1", "--bs", "2", "--set", "proj_dim=16", "--set", "proj_size=8",
             "--set", $"{key}={value}", "--device", "cpu", "--out", dir.File(outName)];
        var (code, _, err) = Run(Args("num_workers", "1", "one"));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("1 loader thread", err);
        // --workers still wins over the config.
        (code, _, err) = Run([.. Args("num_workers", "1", "two"), "--workers", "2"]);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("2 loader threads", err);
        (code, _, err) = Run(Args("gpus", "2", "gpus"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("gpus 2: training runs on one device", err);
        Assert.Contains("--device", err);
        Assert.False(Directory.Exists(dir.File("gpus")) && Directory.EnumerateFiles(dir.File("gpus")).Any(f => !Path.GetFileName(f).StartsWith('.')));
    }

    [Fact]
    public void Empty_folder_exits_1_with_one_line()
    {
        using var dir = new TempDir();
        var (code, _, err) = Run("train", dir.Path, "--config", "v1", "--device", "cpu");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("no .wav files found", err);
    }

    [Fact]
    public void Bad_flag_values_are_usage_or_config_errors()
    {
        using var dir = new TempDir();
        Assert.Equal(ExitCodes.Usage, Run("train", dir.Path, "--workers", "0", "--device", "cpu").Code);
        var (code, _, err) = Run("train", dir.Path, "--config", "v1", "--epochs", "0", "--device", "cpu");
        Assert.NotEqual(ExitCodes.Ok, code);
        Assert.Contains("epochs", err);
    }

    [Fact]
    public void Precision_bf16_trains_and_is_logged_and_a_wrong_or_conflicting_precision_is_a_usage_error()
    {
        using var dir = new TempDir();
        for (int k = 0; k < 4; k++)
            WavFile.WritePcm16(dir.File($"audio/c{k}.wav"), Enumerable.Range(0, 16000).Select(i => (float)(0.2 * Math.Sin(0.04 * (k + 1) * i))).ToArray(), 16000);
        string[] Args(string outName, params string[] more) =>
            ["train", dir.File("audio"), "--config", "v1", "--d", "64", "--epochs", "1", "--bs", "4", "--set", "proj_dim=32", "--set", "proj_size=16",
             "--device", "cpu", "--threads", "1", "--out", dir.File(outName), .. more];
        var (code, _, err) = Run(Args("bf16", "--precision", "bf16"));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("(bf16)", err);
        Assert.EndsWith(",bf16", File.ReadAllLines(dir.File("bf16/train_log.csv"))[1]);

        var (badCode, _, badErr) = Run(Args("bad", "--precision", "fp16"));
        Assert.Equal(ExitCodes.Usage, badCode);
        Assert.Contains("--precision", badErr);
        var (bothCode, _, bothErr) = Run(Args("both", "--precision", "bf16", "--tf32"));
        Assert.Equal(ExitCodes.Usage, bothCode);
        Assert.Contains("--tf32", bothErr);
        Assert.Contains("--precision", bothErr);
    }
}
