using System.Diagnostics;
using ByolA.Audio;
using ByolA.Cli;
using ByolA.Configuration;
using ByolA.Data;
using ByolA.Learning;
using ByolA.Models;
using ByolA.Tests.Audio;
using ByolA.Tests.Support;
using static ByolA.Tests.Support.CliRunner;

namespace ByolA.Tests.Learning;

/// <summary>Nothing of another run is replaced, concurrent runs exclude each other, a poisoned loss stops before writing.</summary>
[Collection(TorchRngCollection.Name)]
public class TrainerSafetyTests
{
    static readonly ByolAConfig Tiny = ByolAConfig.V1 with { FeatureD = 64, ProjDim = 32, ProjSize = 16, Bs = 4, Epochs = 1, Lr = 1e-3, Seed = 7, NumWorkers = 1 };

    static List<string> MakeClips(TempDir dir, int count)
    {
        Directory.CreateDirectory(dir.File("clips"));
        return Enumerable.Range(0, count).Select(k =>
        {
            var x = Enumerable.Range(0, 16000).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * (200 + 150 * k) * i / 16000))).ToArray();
            var path = dir.File($"clips/clip{k}.wav");
            WavFile.WritePcm16(path, x, 16000);
            return path;
        }).ToList();
    }

    [Fact]
    public void A_fresh_run_into_a_folder_holding_a_checkpoint_is_refused_unless_overwrite_is_asked()
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 4);
        var first = Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("out") });
        var checkpoint = File.ReadAllBytes(first.CheckpointPath);
        var log = File.ReadAllText(first.LogPath);

        var e = Assert.Throws<ExistingRunException>(() => Trainer.Run(new TrainOptions { Config = Tiny with { Seed = 8 }, Files = files, OutputDir = dir.File("out") }));
        Assert.Equal(Path.GetFullPath(dir.File("out")), e.Folder);
        Assert.DoesNotContain("--", e.Message);
        Assert.Equal(checkpoint, File.ReadAllBytes(first.CheckpointPath));
        Assert.Equal(log, File.ReadAllText(first.LogPath));

        var replaced = Trainer.Run(new TrainOptions { Config = Tiny with { Seed = 8 }, Files = files, OutputDir = dir.File("out"), Overwrite = true });
        Assert.NotEqual(checkpoint, File.ReadAllBytes(replaced.CheckpointPath));
    }

    [Theory]
    [InlineData("train_log.csv")]
    [InlineData("train_curves.png")]
    [InlineData("BYOLA-NTT2020d64s64x96-2611301200-e1-bs4-lr0003-rs42.pth")]
    [InlineData("AudioNTT2022-BYOLA-64x96d64-2611301200-e1b4l0003r42-0123abcd.pth")]
    public void An_earlier_run_s_log_curves_or_weights_without_its_checkpoint_are_not_replaced(string name)
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 4);
        Directory.CreateDirectory(dir.File("out"));
        File.WriteAllText(dir.File("out/" + name), "an earlier run's file\n");
        var e = Assert.Throws<ExistingRunException>(() => Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("out") }));
        Assert.Equal(name, e.File);
        Assert.Contains(name, e.Message);
        Assert.Equal("an earlier run's file\n", File.ReadAllText(dir.File("out/" + name)));
        Assert.False(File.Exists(dir.File("out/checkpoint.pth")));
        // The CLI names --overwrite and --out, and no --resume: there is no checkpoint to resume.
        var (code, _, err) = Run(["train", dir.File("clips"), "--config", "v1", "--d", "64", "--epochs", "1", "--bs", "4", "--set", "proj_dim=32",
            "--set", "proj_size=16", "--device", "cpu", "--threads", "1", "--workers", "1", "--out", dir.File("out")]);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("--overwrite", err);
        Assert.DoesNotContain("--resume", err);
        Assert.Equal("an earlier run's file\n", File.ReadAllText(dir.File("out/" + name)));
    }

    [Fact]
    public void The_cli_names_resume_overwrite_and_out_and_overwrite_replaces()
    {
        using var dir = new TempDir();
        MakeClips(dir, 4);
        string[] args = ["train", dir.File("clips"), "--config", "v1", "--d", "64", "--epochs", "1", "--bs", "4", "--set", "proj_dim=32",
            "--set", "proj_size=16", "--device", "cpu", "--threads", "1", "--workers", "1", "--out", dir.File("out")];
        Assert.Equal(ExitCodes.Ok, Run(args).Code);
        var (code, _, err) = Run(args);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("--resume " + Path.Combine(Path.GetFullPath(dir.File("out")), "checkpoint.pth"), err);
        Assert.Contains("--overwrite", err);
        Assert.Contains("--out", err);
        Assert.Single(err.Trim().Split('\n'));
        var (again, _, againErr) = Run([.. args, "--overwrite"]);
        Assert.True(again == ExitCodes.Ok, againErr);
    }

    [Fact]
    public void A_run_is_refused_while_another_process_holds_the_output_folder_lock()
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 4);
        Directory.CreateDirectory(dir.File("out"));
        var lockPath = dir.File("out/" + Trainer.LockFileName);
        using (var held = FileLock.TryAcquire(lockPath))
        {
            Assert.NotNull(held);
            // The lock is the OS's: another process (flock(1)) cannot take it either.
            using var other = Process.Start(new ProcessStartInfo("flock", ["-n", lockPath, "true"]))!;
            other.WaitForExit();
            Assert.NotEqual(0, other.ExitCode);

            var e = Assert.Throws<ByolAException>(() => Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("out") }));
            Assert.Contains("another training run is writing to this folder", e.Message);
            Assert.False(File.Exists(dir.File("out/checkpoint.pth")));
        }
        Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("out") });   // released: runs
    }

    [Fact]
    public async Task Two_concurrent_runs_into_one_folder_leave_exactly_one_run_s_files()
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 4);
        using var start = new Barrier(2);
        var runs = new[] { 1, 2 }.Select(seed => Task.Run(() =>
        {
            start.SignalAndWait();
            try { return Trainer.Run(new TrainOptions { Config = Tiny with { Seed = seed }, Files = files, OutputDir = dir.File("out") }); }
            catch (ByolAException) { return (TrainResult?)null; }
        })).ToArray();
        var winners = (await Task.WhenAll(runs)).Where(r => r != null).Select(r => r!).ToList();
        Assert.Single(winners);
        var checkpoint = TrainingCheckpoint.Load(winners[0].CheckpointPath);
        Assert.Equal(1, checkpoint.Epoch);
        Assert.Single(Directory.GetFiles(dir.File("out"), "BYOLA-*.pth"));
    }

    [Fact]
    public void Resuming_into_another_folder_carries_the_earlier_log_rows()
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 4);
        var first = Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("a") });
        var resumed = Trainer.Run(new TrainOptions { Config = Tiny with { Epochs = 2 }, Files = files, OutputDir = dir.File("b"), ResumeFrom = first.CheckpointPath });
        var a = File.ReadAllLines(first.LogPath);
        var b = File.ReadAllLines(resumed.LogPath);
        Assert.Equal(3, b.Length);
        Assert.Equal(a[1], b[1]);
        Assert.StartsWith("2,", b[2]);
    }

    [Fact]
    public void A_non_finite_loss_stops_before_writing_names_the_batch_and_keeps_the_last_good_checkpoint()
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 4);
        var first = Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("out") });
        var checkpoint = File.ReadAllBytes(first.CheckpointPath);
        var log = File.ReadAllText(first.LogPath);

        // Finite but enormous float samples: the power spectrum overflows and the loss turns NaN.
        var huge = Enumerable.Range(0, 16000).Select(i => (float)(3e38 * Math.Sin(i * 0.3))).ToArray();
        File.WriteAllBytes(files[2], TestWav.File(TestWav.IeeeFloat, 1, 16000, 32, TestWav.Encode([huge], 32, isFloat: true)));

        var e = Assert.Throws<ByolAException>(() => Trainer.Run(new TrainOptions { Config = Tiny with { Epochs = 3 }, Files = files, OutputDir = dir.File("out"), ResumeFrom = first.CheckpointPath }));
        Assert.Contains("the loss became NaN at epoch 2", e.Message);
        Assert.Contains(files[2], e.Message);
        Assert.Equal(checkpoint, File.ReadAllBytes(first.CheckpointPath));
        Assert.Equal(log, File.ReadAllText(first.LogPath));
        Assert.DoesNotContain(Directory.GetFiles(dir.File("out"), "BYOLA-*.pth"), f => f != first.WeightsPath);
    }

    [Fact]
    public void Checkpoint_and_final_weights_reach_the_disk_before_they_are_renamed_into_place()
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 4);
        var durable = new System.Collections.Concurrent.ConcurrentBag<string>();
        void Record(string path) { if (path.StartsWith(dir.Path, StringComparison.Ordinal)) durable.Add(Path.GetFileName(path)); }
        AtomicFile.FlushedToDisk += Record;
        try
        {
            Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("out") });
        }
        finally
        {
            AtomicFile.FlushedToDisk -= Record;
        }
        Assert.Contains(TrainingCheckpoint.FileName, durable);
        // the final weights are written once, under their final name (no temporary file of a temporary file)
        Assert.Contains(durable, name => name.StartsWith("BYOLA-", StringComparison.Ordinal) && name.EndsWith(".pth", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ctrl_c_after_an_epoch_says_how_to_resume_and_that_command_continues()
    {
        if (OperatingSystem.IsWindows()) return;   // SIGINT
        using var dir = new TempDir();
        MakeClips(dir, 4);
        string[] args = [System.IO.Path.Combine(AppContext.BaseDirectory, "ByolA.Cli.dll"), "train", dir.File("clips"), "--config", "v1", "--d", "64",
            "--epochs", "1000", "--bs", "4", "--set", "proj_dim=32", "--set", "proj_size=16", "--device", "cpu", "--threads", "1", "--workers", "1",
            "--out", dir.File("out")];
        var start = new ProcessStartInfo("dotnet", args) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var err = new System.Text.StringBuilder();
        // Interrupt once the first epoch has finished: its checkpoint is written right after its line, before the next check.
        for (string? line; (line = process.StandardError.ReadLine()) != null;)
        {
            err.AppendLine(line);
            if (line.StartsWith("epoch 1/1000:", StringComparison.Ordinal))
            {
                using var kill = Process.Start("kill", ["-INT", process.Id.ToString()])!;
                kill.WaitForExit();
                break;
            }
        }
        err.Append(process.StandardError.ReadToEnd());
        process.WaitForExit();
        await output;
        Assert.True(process.ExitCode == ExitCodes.Cancelled, err.ToString());
        var checkpoint = Path.Combine(Path.GetFullPath(dir.File("out")), "checkpoint.pth");
        Assert.Contains($"continue with --resume {checkpoint}", err.ToString());
        Assert.DoesNotContain("rerun to continue", err.ToString());
        // That advice works: the rerun it names is accepted (a plain rerun is refused).
        // (The interrupt may land after a later epoch's checkpoint; train one epoch more than it holds.)
        var epochs = (TrainingCheckpoint.Load(checkpoint).Epoch + 1).ToString();
        var (code, _, againErr) = Run(["train", dir.File("clips"), "--config", "v1", "--d", "64", "--epochs", epochs, "--bs", "4", "--set", "proj_dim=32",
            "--set", "proj_size=16", "--device", "cpu", "--threads", "1", "--workers", "1", "--out", dir.File("out"), "--resume", checkpoint]);
        Assert.True(code == ExitCodes.Ok, againErr);
    }
}
