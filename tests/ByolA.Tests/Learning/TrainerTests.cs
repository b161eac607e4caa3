using ByolA.Weights;
using ByolA.Data;
using ByolA.Audio;
using ByolA.Configuration;
using ByolA.Learning;
using ByolA.Models;
using ByolA.Progress;
using ByolA.Reports;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Learning;

/// <summary>Tiny end-to-end training runs on generated clips (d=64, small projector, CPU).</summary>
[Collection(TorchRngCollection.Name)]
public class TrainerTests
{
    static readonly ByolAConfig Tiny = ByolAConfig.V1 with { FeatureD = 64, ProjDim = 32, ProjSize = 16, Bs = 4, Epochs = 2, Lr = 1e-3, Seed = 7, NumWorkers = 2 };

    /// <summary>Deterministic clips: a tone (frequency and length vary per clip, some shorter than unit_sec) plus noise.</summary>
    static List<string> MakeClips(TempDir dir, int count, string sub = "clips")
    {
        var paths = new List<string>();
        var rng = new Random(123);
        for (int k = 0; k < count; k++)
        {
            int n = k % 3 == 0 ? 12000 : 16000 + 800 * k;
            double f = 200 + 150 * k;
            var x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float)(0.3 * Math.Sin(2 * Math.PI * f * i / 16000) + 0.05 * (rng.NextDouble() - 0.5));
            var path = dir.File(Path.Combine(sub, k % 2 == 0 ? "a" : Path.Combine("b", "c"), $"clip{k:00}.wav"));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            WavFile.WritePcm16(path, x, 16000);
            paths.Add(path);
        }
        return paths;
    }

    static Dictionary<string, Tensor> Weights(string path) => EncoderWeights.ReadStateDict(path);

    sealed class Recorder : IProgressReporter, IProgressTask
    {
        public List<string> Messages { get; } = [];
        public List<string> Tasks { get; } = [];
        public IProgressTask Start(string description, long total) { Tasks.Add(description); return this; }
        public void Message(string text) => Messages.Add(text);
        public void Advance(long steps = 1, string? status = null) { }
        public void Dispose() { }
    }

    [Fact]
    public void Two_epochs_reduce_the_loss_write_log_checkpoint_and_python_loadable_weights()
    {
        using var dir = new TempDir();
        MakeClips(dir, 8);
        var progress = new Recorder();
        var result = Trainer.Run(new TrainOptions { Config = Tiny, AudioDir = dir.File("clips"), OutputDir = dir.File("out") }, progress);

        Assert.Equal(2, result.Epochs.Count);
        Assert.All(result.Epochs, e => Assert.Equal(2, e.Batches));
        Assert.True(result.Epochs[1].Loss < result.Epochs[0].Loss, $"loss {result.Epochs[0].Loss} → {result.Epochs[1].Loss}");
        Assert.InRange(result.Epochs[0].Ma, -1e-4, 1e-4);   // NormalizeBatch output is standardised
        Assert.InRange(result.Epochs[0].Sa, 1 - 1e-4, 1 + 1e-4);
        Assert.Equal(8, result.FilesUsed);
        Assert.Empty(result.Unreadable);

        var log = File.ReadAllLines(result.LogPath);
        Assert.Equal("epoch,loss,mb,sb,ma,sa,batches,samples,seconds,samples_per_s,unreadable,precision", log[0]);
        Assert.Equal(3, log.Length);
        Assert.StartsWith("2,", log[2]);
        Assert.EndsWith(",fp32", log[2]);
        Assert.True(File.Exists(result.CheckpointPath));
        var curves = Png.Read(dir.File("out/" + TrainingCurvesPlot.FileName));
        Assert.Equal((TrainingCurvesPlot.Width, TrainingCurvesPlot.Height), (curves.Width, curves.Height));
        Assert.Empty(Directory.GetFiles(dir.File("out"), "*" + AtomicFile.TempMarker + "*"));

        Assert.Matches(@"^BYOLA-NTT2020d64s64x96-\d{10}-e2-bs4-lr001-rs7\.pth$", Path.GetFileName(result.WeightsPath));
        var weights = Weights(result.WeightsPath);
        Assert.All(weights.Keys, k => Assert.True(k.StartsWith("features.") || k.StartsWith("fc."), k));
        Assert.Equal(new long[] { 64, 512 }, weights["fc.0.weight"].shape);
        using var loaded = EncoderLoader.Load(result.WeightsPath);
        Assert.Contains(progress.Messages, m => m.StartsWith("epoch 2/2: loss "));
    }

    [Fact]
    public void Resuming_from_the_epoch_1_checkpoint_reaches_the_uninterrupted_result()
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 8);
        var full = Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("full") });

        var first = Trainer.Run(new TrainOptions { Config = Tiny with { Epochs = 1 }, Files = files, OutputDir = dir.File("parts") });
        var resumed = Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("parts"), ResumeFrom = first.CheckpointPath });

        Assert.Single(resumed.Epochs);
        Assert.Equal(full.Epochs[1].Loss, resumed.Epochs[0].Loss, 6);
        Assert.Equal(full.Epochs[1].CudaSeed, resumed.Epochs[0].CudaSeed);   // same per-epoch CUDA streams
        Assert.NotEqual(full.Epochs[0].CudaSeed, full.Epochs[1].CudaSeed);
        var a = Weights(full.WeightsPath);
        var b = Weights(resumed.WeightsPath);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var key in a.Keys)
            Assert.True((a[key].to_type(ScalarType.Float64) - b[key].to_type(ScalarType.Float64)).abs().max().item<double>() == 0, key);
        Assert.Equal(3, File.ReadAllLines(resumed.LogPath).Length);   // header + epoch 1 (kept) + epoch 2
    }

    /// <summary>Cancels the run once the given epoch has made one step (as Ctrl+C would).</summary>
    sealed class CancelDuring(int epoch, CancellationTokenSource cts) : IProgressReporter, IProgressTask
    {
        bool armed;
        public IProgressTask Start(string description, long total) { armed = description.StartsWith($"epoch {epoch}/"); return this; }
        public void Message(string text) { }
        public void Advance(long steps = 1, string? status = null) { if (armed) cts.Cancel(); }
        public void Dispose() { }
    }

    [Fact]
    public void Killed_mid_epoch_keeps_the_last_checkpoint_and_resumes_to_the_uninterrupted_result()
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 8);
        var full = Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("full") });

        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("killed") }, new CancelDuring(2, cts), cts.Token));
        var checkpoint = TrainingCheckpoint.Load(dir.File("killed/checkpoint.pth"));
        Assert.Equal(1, checkpoint.Epoch);
        Assert.Empty(Directory.GetFiles(dir.File("killed"), "*" + AtomicFile.TempMarker + "*"));
        Assert.DoesNotContain(Directory.GetFiles(dir.File("killed"), "*.pth"), f => !f.EndsWith(TrainingCheckpoint.FileName));

        var resumed = Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("killed"), ResumeFrom = dir.File("killed/checkpoint.pth") });
        var a = Weights(full.WeightsPath);
        var b = Weights(resumed.WeightsPath);
        foreach (var key in a.Keys)
            Assert.True((a[key].to_type(ScalarType.Float64) - b[key].to_type(ScalarType.Float64)).abs().max().item<double>() == 0, key);
    }

    [Fact]
    public void Training_steps_read_nothing_back_from_the_device_only_the_epoch_end_and_the_progress_bar_do()
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 8);
        var quiet = Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("quiet"), ProgressInterval = TimeSpan.MaxValue });
        Assert.All(quiet.Epochs, e => Assert.Equal(1, e.HostReads));   // the epoch's means, nothing per step
        Assert.All(quiet.Epochs, e => Assert.Equal(2, e.Batches));

        // The counter sees the progress bar's reads: with no throttle, one per step plus the epoch end.
        var chatty = Trainer.Run(new TrainOptions { Config = Tiny with { Epochs = 1 }, Files = files, OutputDir = dir.File("chatty"), ProgressInterval = TimeSpan.Zero });
        Assert.Equal(chatty.Epochs[0].Batches + 1, chatty.Epochs[0].HostReads);
        // Summing on the device changes no logged value.
        Assert.Equal(quiet.Epochs[0].Loss, chatty.Epochs[0].Loss);
        Assert.Equal(quiet.Epochs[0].Sb, chatty.Epochs[0].Sb);
    }

    [Fact]
    public void Log_mel_made_on_the_training_device_trains_exactly_like_log_mel_made_by_the_loader()
    {
        // CUDA runs take the device path by default; on the CPU it can be asked for, and must change nothing.
        using var dir = new TempDir();
        var files = MakeClips(dir, 8);
        var config = Tiny with { Epochs = 1 };
        var loader = Trainer.Run(new TrainOptions { Config = config, Files = files, OutputDir = dir.File("loader"), LogMelOnDevice = false });
        var device = Trainer.Run(new TrainOptions { Config = config, Files = files, OutputDir = dir.File("device"), LogMelOnDevice = true });
        Assert.Equal(loader.Epochs[0].Loss, device.Epochs[0].Loss);
        Assert.Equal(loader.Epochs[0].Mb, device.Epochs[0].Mb);
        var a = Weights(loader.WeightsPath);
        var b = Weights(device.WeightsPath);
        foreach (var key in a.Keys)
            Assert.True((a[key].to_type(ScalarType.Float64) - b[key].to_type(ScalarType.Float64)).abs().max().item<double>() == 0, key);
    }

    [Fact]
    public void Version_2_recipe_precomputes_statistics_and_names_weights_like_the_original()
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 4);
        var progress = new Recorder();
        var config = ByolAConfig.V2 with { FeatureD = 1088, ProjDim = 32, ProjSize = 16, Bs = 4, Epochs = 1, Seed = 3 };
        var result = Trainer.Run(new TrainOptions { Config = config, Files = files, OutputDir = dir.File("v2") }, progress);
        Assert.Contains(progress.Messages, m => m.StartsWith("normalisation statistics: mean "));
        Assert.Matches(@"^AudioNTT2022-BYOLA-64x96d1088-\d{10}-e1b4l0001r3-[0-9a-f]{8}\.pth$", Path.GetFileName(result.WeightsPath));
        Assert.True(double.IsFinite(result.Epochs[0].Loss));
        using var loaded = EncoderLoader.Load(result.WeightsPath);
        Assert.Equal("AudioNTT2022", loaded.Architecture);
    }

    [Fact]
    public void Empty_folder_is_a_clear_error()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("empty"));
        var e = Assert.Throws<ByolAException>(() => Trainer.Run(new TrainOptions { Config = Tiny, AudioDir = dir.File("empty"), OutputDir = dir.File("out") }));
        Assert.Contains("no .wav files", e.Message);
    }

    [Fact]
    public void Stereo_or_other_rate_files_ask_for_convert_wav()
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 3);
        WavFile.WritePcm16(dir.File("clips/at44k.wav"), new float[44100], 44100);
        var e = Assert.Throws<ByolAException>(() => Trainer.Run(new TrainOptions { Config = Tiny, AudioDir = dir.File("clips"), OutputDir = dir.File("out") }));
        Assert.Contains("at44k.wav: 44100 Hz mono, expected 16000 Hz mono", e.Message);
        Assert.Contains("convert-wav", e.Message);
    }

    [Fact]
    public void Unreadable_files_are_skipped_and_listed_or_stop_training_above_the_limit()
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 8);
        File.WriteAllText(dir.File("clips/broken.wav"), "this is not a wav file");
        var stop = Assert.Throws<ByolAException>(() => Trainer.Run(new TrainOptions { Config = Tiny with { Epochs = 1 }, AudioDir = dir.File("clips"), OutputDir = dir.File("out") }));
        Assert.Contains("1 of 9 audio files cannot be read", stop.Message);
        Assert.Contains("broken.wav", stop.Message);

        var result = Trainer.Run(new TrainOptions { Config = Tiny with { Epochs = 1 }, AudioDir = dir.File("clips"), OutputDir = dir.File("out"), MaxUnreadableFraction = 0.2 });
        var skipped = Assert.Single(result.Unreadable);
        Assert.Contains("broken.wav", skipped);
        Assert.Equal(8, result.FilesUsed);
    }

    [Fact]
    public void Resume_rejects_a_checkpoint_of_another_configuration_and_a_weights_file()
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 4);
        var first = Trainer.Run(new TrainOptions { Config = Tiny with { Epochs = 1 }, Files = files, OutputDir = dir.File("out") });
        var e = Assert.Throws<ByolAException>(() => Trainer.Run(new TrainOptions { Config = Tiny with { FeatureD = 128 }, Files = files, OutputDir = dir.File("out"), ResumeFrom = first.CheckpointPath }));
        Assert.Contains("feature_d = 64, this run has 128", e.Message);
        var w = Assert.Throws<ByolAException>(() => Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("out"), ResumeFrom = first.WeightsPath }));
        Assert.Contains("not a training checkpoint", w.Message);
    }

    [Fact]
    public void Resuming_a_checkpoint_past_the_epochs_asked_for_is_refused_instead_of_misnaming_the_weights()
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 4);
        var done = Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("out") });   // 2 epochs
        var before = Directory.GetFiles(dir.File("out")).Order().ToList();
        var e = Assert.Throws<OptionException>(() => Trainer.Run(new TrainOptions { Config = Tiny with { Epochs = 1 }, Files = files, OutputDir = dir.File("out"), ResumeFrom = done.CheckpointPath }));
        Assert.Contains("already holds epoch 2, more than the 1 asked for", e.Message);
        Assert.Equal(["ResumeFrom", "epochs"], e.Options);
        Assert.Equal(before, Directory.GetFiles(dir.File("out")).Order());                 // no -e1- weights holding epoch 2
    }

    [Fact]
    public void A_bf16_run_records_its_precision_in_log_and_checkpoint_and_a_resume_in_fp32_says_so()
    {
        using var dir = new TempDir();
        var files = MakeClips(dir, 8);
        var bf16 = Tiny with { Epochs = 1, Precision = ByolA.Runtime.NumericPrecision.Bf16 };
        var first = Trainer.Run(new TrainOptions { Config = bf16, Files = files, OutputDir = dir.File("out") });
        Assert.True(double.IsFinite(first.Epochs[0].Loss));
        Assert.EndsWith(",bf16", File.ReadAllLines(first.LogPath)[1]);
        Assert.Equal((long)ByolA.Runtime.NumericPrecision.Bf16, TrainingCheckpoint.Load(first.CheckpointPath).Meta[TrainingCheckpoint.PrecisionKey]);
        // The saved weights are FP32, as in any run.
        Assert.All(Weights(first.WeightsPath).Values, t => Assert.True(t.dtype is ScalarType.Float32 or ScalarType.Int64, t.dtype.ToString()));

        var progress = new Recorder();
        var resumed = Trainer.Run(new TrainOptions { Config = Tiny, Files = files, OutputDir = dir.File("out"), ResumeFrom = first.CheckpointPath }, progress);
        Assert.Contains(progress.Messages, m => m.Contains("trained in bf16 so far, continuing in fp32"));
        var log = File.ReadAllLines(resumed.LogPath);
        Assert.EndsWith(",bf16", log[1]);
        Assert.EndsWith(",fp32", log[2]);
    }

    [Fact]
    public void The_tf32_switch_with_bf16_is_refused_naming_both()
    {
        var options = new TrainOptions { Config = Tiny with { Precision = ByolA.Runtime.NumericPrecision.Bf16 }, Files = ["a.wav", "b.wav"], OutputDir = "out", Tf32 = true };
        var e = Assert.Throws<OptionException>(() => options.Validate());
        Assert.Equal([nameof(TrainOptions.Tf32), "precision"], e.Options);
        Assert.Equal(ByolA.Runtime.NumericPrecision.Tf32, (options with { Config = Tiny }).Precision);
    }

    [Fact]
    public void Weights_file_name_follows_the_spec()
    {
        var t = new DateTime(2026, 11, 25, 10, 7, 0);
        Assert.Equal("BYOLA-NTT2020d2048s64x96-2611251007-e100-bs256-lr0003-rs42.pth", WeightsFileName.For(ByolAConfig.V1, t));
        Assert.Equal("AudioNTT2022-BYOLA-64x96d3072-2611251007-e100b256l0001r42-abcdef12.pth", WeightsFileName.For(ByolAConfig.V2, t, "abcdef12"));
    }
}
