using System.Globalization;
using System.Text.RegularExpressions;
using ByolA.Cli;
using ByolA.Distributed;
using ByolA.Learning;
using ByolA.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;
using static ByolA.Tests.Learning.DistributedTrainingTests;

namespace ByolA.Tests.Learning;

/// <summary>
/// <c>byola train</c> on two ranks under Open MPI's mpirun on this machine's CPU (each rank a CLI process on tiny
/// clips): exact resume, a rank that dies or hangs, ranks that disagree, a batch that does not split; the launcher's
/// variables without MPI; and the NCCL group at world size one where a GPU is present. Nothing here draws from this
/// process's torch generator, so these run beside other tests.
/// </summary>
public class MultiRankTrainTests
{
    static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    static readonly Dictionary<string, string> NoEnvironment = [];

    [MpiFact]
    public void Two_rank_training_resumed_after_an_epoch_equals_the_uninterrupted_run()
    {
        using var dir = new TempDir();
        var audio = Clips(dir, "audio");
        var full = MpiRunner.Run(2, null, Limit, MpiRunner.Cli(Train(audio, dir.File("full"), 2)));
        Assert.True(full.Code == 0, full.Err);
        Assert.Contains("batch 4 (2 on each of 2 ranks, gradients through MPI: ", full.Err);
        Assert.Single(Regex.Matches(full.Out, "trained 2 epoch"));   // only rank 0 reports
        var part = MpiRunner.Run(2, null, Limit, MpiRunner.Cli(Train(audio, dir.File("part"), 1)));
        Assert.True(part.Code == 0, part.Err);
        var resumed = MpiRunner.Run(2, null, Limit, MpiRunner.Cli(Train(audio, dir.File("resumed"), 2, "--resume", dir.File("part/checkpoint.pth"))));
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains("resumed from", resumed.Err);

        var a = TrainingCheckpoint.Load(dir.File("full/checkpoint.pth"));
        var b = TrainingCheckpoint.Load(dir.File("resumed/checkpoint.pth"));
        Assert.Equal(2, a.Epoch);
        Assert.Equal(2, b.Epoch);
        Assert.Equal(a.Learner.Keys.Order(), b.Learner.Keys.Order());
        foreach (var (key, t) in a.Learner) Assert.True(t.allclose(b.Learner[key], 0, 0), $"{key} differs after the resume");
        Assert.Equal(a.Optimizer, b.Optimizer);
        Assert.Equal(a.AugmentRng, b.AugmentRng);
        Assert.Equal(LossOf(dir.File("full/train_log.csv"), 2), LossOf(dir.File("resumed/train_log.csv"), 2));
        // The other rank wrote nothing anywhere: the output folders hold rank 0's files only.
        Assert.Single(Directory.GetFiles(dir.File("full"), "BYOLA-*.pth"));
    }

    [MpiFact]
    public void A_rank_that_dies_stops_the_others_and_the_last_checkpoint_stays()
    {
        using var dir = new TempDir();
        var audio = Clips(dir, "audio");
        var env = new Dictionary<string, string> { ["BYOLA_TEST_RANK_EXIT"] = "1:2:1" };
        var (code, _, err, took) = MpiRunner.Run(2, env, Limit, MpiRunner.Cli(Train(audio, dir.File("out"), 3, "--dist-timeout", "20")));
        Assert.True(code > 0, $"exit {code} after {took}: {err}");   // not killed by the test's limit: it stopped by itself
        Assert.Matches("rank 1 .*(exited|signal|Killed)", err.Replace('\n', ' '));
        Assert.Equal(1, TrainingCheckpoint.Load(dir.File("out/checkpoint.pth")).Epoch);
        Assert.Single(File.ReadAllLines(dir.File("out/train_log.csv")).Skip(1));
        Assert.Empty(Directory.GetFiles(dir.File("out"), "BYOLA-*.pth"));
    }

    [MpiFact]
    public void A_rank_that_hangs_stops_the_others_within_the_timeout_with_a_line_naming_the_wait()
    {
        using var dir = new TempDir();
        var audio = Clips(dir, "audio");
        var env = new Dictionary<string, string> { ["BYOLA_TEST_RANK_HANG"] = "1:1:2" };
        var (code, _, err, took) = MpiRunner.Run(2, env, Limit, MpiRunner.Cli(Train(audio, dir.File("out"), 2, "--dist-timeout", "5")));
        // 5 s, not less: the same bound covers the exchanges at start, and two ranks on a loaded 2-core machine can
        // start a few seconds apart.
        Assert.True(code > 0, $"exit {code} after {took}: {err}");
        Assert.Contains("rank 0 of 2: waited 5 s for the gradients of epoch 1, step 2 and it did not finish: rank 1 never reached it (it died or hangs)", err);
        Assert.False(File.Exists(dir.File("out/checkpoint.pth")));
    }

    [MpiFact]
    public void Ranks_started_with_other_settings_or_audio_are_refused_before_training()
    {
        using var dir = new TempDir();
        var audio = Clips(dir, "audio");
        var fewer = Clips(dir, "fewer", 7);
        var (code, _, err, _) = MpiRunner.Run(0, null, Limit,
            ["-np", "1", .. MpiRunner.Cli(Train(audio, dir.File("out"), 1)), ":", "-np", "1", .. MpiRunner.Cli(Train(fewer, dir.File("out"), 1, "--accum-steps", "2"))]);
        Assert.NotEqual(0, code);
        Assert.Contains("the ranks do not agree on what to train: rank 1 was started with other settings than rank 0", err);
        Assert.Contains("rank 1 found 7 training files, rank 0 8", err);
        Assert.False(File.Exists(dir.File("out/checkpoint.pth")));
    }

    [MpiFact]
    public void A_batch_that_does_not_split_over_the_ranks_is_a_usage_error_naming_the_flag()
    {
        using var dir = new TempDir();
        var audio = Clips(dir, "audio");
        var (code, _, err, _) = MpiRunner.Run(2, null, Limit, MpiRunner.Cli(Train(audio, dir.File("out"), 1, "--bs", "3")));
        Assert.NotEqual(0, code);
        Assert.Contains("--bs 3 is the batch of all 2 ranks together and must split evenly over them; choose a multiple of 2", err);
    }

    [Fact]
    public void Launcher_variables_without_MPI_on_the_CPU_are_refused_with_one_line()
    {
        using var dir = new TempDir();
        var audio = Clips(dir, "audio", 2);
        var (code, _, err) = CliRunner.RunChild(new Dictionary<string, string> { ["RANK"] = "1", ["WORLD_SIZE"] = "2" },
            ["train", audio, "--config", "v1", "--d", "64", "--epochs", "1", "--bs", "2", "--device", "cpu", "--out", dir.File("out")]);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("rank 1 of 2: without MPI the ranks can only exchange gradients on GPUs (NCCL); on the CPU start the ranks with mpirun", err);
        Assert.False(Directory.Exists(dir.File("out")));
        // Slurm's task variables count inside an srun step only: a batch script's own shell is one process and trains.
        (code, _, err) = CliRunner.RunChild(new Dictionary<string, string> { ["SLURM_PROCID"] = "0", ["SLURM_NTASKS"] = "4", ["SLURM_JOB_ID"] = "7" },
            ["train", audio, "--config", "v1", "--d", "64", "--epochs", "1", "--bs", "2", "--set", "proj_dim=16", "--set", "proj_size=8", "--device", "cpu",
             "--threads", "1", "--out", dir.File("batch-shell")]);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.DoesNotContain("ranks", err);
        (code, _, err) = CliRunner.RunChild(new Dictionary<string, string> { ["SLURM_PROCID"] = "1", ["SLURM_STEP_NUM_TASKS"] = "2", ["SLURM_STEP_ID"] = "0" },
            ["train", audio, "--config", "v1", "--d", "64", "--epochs", "1", "--bs", "2", "--device", "cpu", "--out", dir.File("srun-step")]);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("rank 1 of 2: without MPI", err);
    }

    [CudaFact]
    public void Nccl_at_world_size_one_sums_broadcasts_and_gathers_on_the_gpu()
    {
        using var dir = new TempDir();
        using var group = NcclProcessGroup.Open(0, 1, 0, TimeSpan.FromSeconds(60), null, dir.File("store"));
        Assert.False(File.Exists(dir.File("store")));   // removed once every rank joined
        using var x = tensor(new float[] { 1, 2, 3 }, device: new Device(DeviceType.CUDA, 0));
        group.AllReduceSum(x, "a test sum");
        Assert.Equal([1f, 2f, 3f], x.cpu().data<float>().ToArray());
        group.Broadcast(x, "a test broadcast");
        Assert.Equal([1f, 2f, 3f], x.cpu().data<float>().ToArray());
        Assert.Equal(new byte[] { 4, 5, 6 }, group.Broadcast(new byte[] { 4, 5, 6 }, "test bytes"));
        Assert.Equal([[7L, 8L]], group.AllGather([7, 8], "test values"));
        group.Complete();
    }

    [Fact]
    public void Accumulation_trains_through_the_verb_and_a_bad_count_is_a_usage_error()
    {
        using var dir = new TempDir();
        var audio = Clips(dir, "audio");
        // In a child process: an in-process run would set this process's torch threads, which later tests depend on.
        var (code, _, err) = CliRunner.RunChild(NoEnvironment, Train(audio, dir.File("out"), 1, "--bs", "2", "--accum-steps", "2"));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("batch 2, 2 batches accumulated per step (4 clips)", err);
        var row = File.ReadAllLines(dir.File("out/train_log.csv"))[1].Split(',');
        Assert.Equal("4", row[6]);    // 4 micro-batches of 2 …
        Assert.Equal("8", row[7]);    // … over all 8 clips, in 2 optimizer steps
        (code, _, err) = CliRunner.Run([.. Train(audio, dir.File("bad"), 1), "--accum-steps", "0"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--accum-steps", err);
        (code, _, err) = CliRunner.Run([.. Train(audio, dir.File("bad"), 1), "--dist-timeout", "-1"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--dist-timeout", err);
    }

    static string LossOf(string log, int epoch) =>
        File.ReadAllLines(log).Skip(1).Select(l => l.Split(',')).Single(c => c[0] == epoch.ToString(CultureInfo.InvariantCulture))[1];
}
