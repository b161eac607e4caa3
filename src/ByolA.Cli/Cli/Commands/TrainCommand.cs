using System.CommandLine;
using System.Globalization;
using ByolA.Learning;

namespace ByolA.Cli.Commands;

/// <summary><c>byola train AUDIO_DIR</c>: BYOL-A pretraining (v1 or v2 recipe, chosen by the config).</summary>
public static class TrainCommand
{
    public static Command Create(CliContext context)
    {
        var audio = new Argument<string>("audio-dir") { Description = "Folder of audio files, searched recursively: mono .wav at the config's sample rate (run convert-wav first for other WAVs), or FLAC, MP3, Ogg Vorbis, Opus (and M4A/AAC, WebM, … with ffmpeg on PATH), decoded and converted as convert-wav would." };
        var d = new Option<int?>("--d") { Description = "Encoder output dimension (config feature_d; v1 default 2048, v2 3072; v2 needs d > 1024).", HelpName = "D" };
        var epochs = new Option<int?>("--epochs") { Description = "Number of epochs (config epochs; default 100).", HelpName = "N" };
        var bs = new Option<int?>("--bs") { Description = "Batch size (config bs; default 256). The incomplete last batch of an epoch is dropped. On several ranks (mpirun, srun): the batch of all ranks together, bs/N clips on each.", HelpName = "N" };
        var lr = new Option<double?>("--lr") { Description = "Adam learning rate (config lr; v1 0.0003, v2 0.0001).", HelpName = "LR" };
        var seed = new Option<int?>("--seed") { Description = "Random seed for initialisation, shuffling, cropping and augmentation (config seed; default 42).", HelpName = "N" };
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue from a checkpoint.pth written by an earlier run (same config and audio); the result equals an uninterrupted run (CPU, same seed).",
            HelpName = "FILE",
        };
        var output = new Option<string?>("--out", "-o")
        {
            Description = "Folder for checkpoint.pth, train_log.csv and the final weights (config checkpoint_folder; default checkpoints).",
            HelpName = "DIR",
        };
        var overwrite = new Option<bool>("--overwrite")
        {
            Description = "Replace the checkpoint.pth and train_log.csv of another run found in --out (without it such a folder is refused).",
        };
        var workers = new Option<int?>("--workers")
        {
            Description = "Threads decoding and cropping audio ahead of the model (default: the config's num_workers, at most the core count).",
            HelpName = "N",
        };
        var tensorBoard = new Option<string?>("--tensorboard")
        {
            Description = "Also write a TensorBoard log to DIR (open it with `tensorboard --logdir DIR`): per epoch the loss, learning rate, " +
                          "samples/s and the views' statistics (mb, sb, ma, sa), and pictures of a batch's two augmented views.",
            HelpName = "DIR",
        };
        var tensorBoardImages = new Option<int?>("--tensorboard-images")
        {
            Description = "With --tensorboard: pictures of the augmented views on the first epoch and every N epochs after it (0: none). Default: 10.",
            HelpName = "N",
        };
        var accum = new Option<int?>("--accum-steps")
        {
            Description = "Gradient accumulation (config accum_steps): sum the gradients of K batches of --bs before each optimizer step, so a step " +
                          "sees bs × K clips with the memory of one batch (BatchNorm still sees one batch). Default 1.",
            HelpName = "K",
        };
        var distTimeout = new Option<double?>("--dist-timeout")
        {
            Description = "Several processes (mpirun, srun, torchrun-style RANK/WORLD_SIZE): seconds a rank waits for the others at one exchange " +
                          "before it stops with a line naming the wait, so a rank that died or hangs stops the run. Default 300; it must cover a checkpoint write.",
            HelpName = "SECONDS",
        };
        var distStore = new Option<string?>("--dist-store")
        {
            Description = "GPU processes started without MPI (RANK and WORLD_SIZE set, as torchrun or a plain srun does): a file on storage every rank " +
                          "sees, fresh for each run, through which rank 0 hands NCCL's id to the others. Not needed under mpirun.",
            HelpName = "FILE",
        };
        var command = new Command("train",
            "Pretrain an encoder with BYOL-A on unlabelled audio. The config's model key picks the recipe: AudioNTT2020 = v1 " +
            "(RunningNorm, Mixup 0.4, RandomResizeCrop), AudioNTT2022 = v2 (dataset statistics, Mixup 0.2, RandomResizeCrop, RandomLinearFader). " +
            "Writes a checkpoint and a CSV row every epoch, then the encoder weights (PyTorch state dict). " +
            "Data-parallel on several GPUs or machines when started by `mpirun -np N byola train …`, `srun byola train …` or a torchrun-style " +
            "launcher: --bs is then the batch of all ranks together, and only rank 0 writes.")
        {
            audio, d, epochs, bs, lr, seed, resume, output, overwrite, workers, tensorBoard, tensorBoardImages, accum, distTimeout, distStore,
        };
        var compute = new ComputeOptions().AddTo(command);
        var tf32 = ComputeOptions.Tf32();
        command.Options.Add(tf32);
        var precision = ComputeOptions.Precision("Config key precision; default fp32. Recorded in train_log.csv and the checkpoint; a resume in another precision says so.");
        command.Options.Add(precision);
        var noBenchmark = new Option<bool>("--no-cudnn-benchmark")
        {
            Description = "CUDA only: do not let cuDNN time its convolution algorithms and keep the fastest (on by default: faster, " +
                          "but the algorithm chosen can differ between runs, so CUDA runs are then not bit-for-bit repeatable).",
        };
        command.Options.Add(noBenchmark);
        var cudaChannelsLast = new Option<bool>("--cuda-channels-last")
        {
            Description = "CUDA only: run the convolutions channels-last (NHWC) instead of NCHW. Whether it is faster depends on the GPU " +
                          "and the precision (bench/gpu-check.sh times both); results differ by float rounding only. The CPU always runs NHWC.",
        };
        command.Options.Add(cudaChannelsLast);
        compute.ConfigFlag("precision", precision).ConfigFlag("feature_d", d).ConfigFlag("epochs", epochs).ConfigFlag("bs", bs).ConfigFlag("lr", lr).ConfigFlag("seed", seed).ConfigFlag("accum_steps", accum);
        var names = compute.Names.Add(nameof(TrainOptions.AudioDir), audio).Add(nameof(TrainOptions.OutputDir), output)
            .Add(nameof(TrainOptions.ResumeFrom), resume).Add(nameof(TrainOptions.DecodeThreads), workers).Add(nameof(TrainOptions.Tf32), tf32)
            .Add(nameof(TrainOptions.TensorBoardDir), tensorBoard).Add(nameof(TrainOptions.TensorBoardImageEvery), tensorBoardImages)
            .Add(nameof(TrainOptions.DistTimeout), distTimeout).Add(nameof(TrainOptions.DistStore), distStore);
        command.SetAction(parse => VerbRunner.Run(context, parse, ct =>
        {
            var config = compute.LoadConfig(parse);
            var options = new TrainOptions
            {
                Config = config,
                AudioDir = parse.GetValue(audio),
                OutputDir = parse.GetValue(output),
                ResumeFrom = parse.GetValue(resume) is { Length: > 0 } r ? r : config.Resume is { Length: > 0 } cr ? cr : null,
                DecodeThreads = parse.GetValue(workers),
                Tf32 = parse.GetValue(tf32),
                CudnnBenchmark = !parse.GetValue(noBenchmark),
                CudaChannelsLast = parse.GetValue(cudaChannelsLast),
                Overwrite = parse.GetValue(overwrite),
                TensorBoardDir = parse.GetValue(tensorBoard),
                TensorBoardImageEvery = parse.GetValue(tensorBoardImages) ?? 10,
                DistTimeout = parse.GetValue(distTimeout) is { } seconds
                    ? double.IsFinite(seconds) && seconds is > 0 and <= 86400 ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero
                    : TimeSpan.FromSeconds(300),
                DistStore = parse.GetValue(distStore),
            }.Validate();
            options = options with { Device = compute.InitialiseTorch(parse) };
            TrainResult result;
            var started = DateTime.UtcNow;
            try
            {
                result = Trainer.Run(options, context.CreateProgress(), ct);
            }
            catch (OperationCanceledException)
            {
                // A plain rerun is refused (the folder holds this run's checkpoint), so say how to go on.
                var checkpoint = Path.Combine(Path.GetFullPath(options.ResolvedOutputDir), TrainingCheckpoint.FileName);
                context.Error.WriteLine(File.Exists(checkpoint) && File.GetLastWriteTimeUtc(checkpoint) >= started
                    ? $"cancelled: {checkpoint} holds the last finished epoch; continue with --resume {checkpoint}"
                    : "cancelled before an epoch finished: this run wrote no checkpoint; run the same command again to start over");
                return ExitCodes.Cancelled;
            }
            catch (ExistingRunException e)
            {
                throw new ByolAException($"{e.Folder}: holds {e.File} of another run; " +
                    (e.ResumingFromElsewhere || e.File != TrainingCheckpoint.FileName ? "" : $"continue it with --resume {Path.Combine(e.Folder, TrainingCheckpoint.FileName)}, ") +
                    "replace it with --overwrite, or pick another folder with --out DIR", e);
            }
            if (result.Unreadable.Count > 0)
            {
                context.Error.WriteLine($"skipped {result.Unreadable.Count} unreadable file(s):");
                foreach (var line in result.Unreadable) context.Error.WriteLine($"  {line}");
            }
            // Every rank returns; one summary is enough (rank 0's: it wrote the files).
            if (result.Rank != 0) return ExitCodes.Ok;
            var last = result.Epochs.LastOrDefault();
            context.Output.WriteLine(last is null
                ? $"nothing to train (checkpoint already at the last epoch); weights: {result.WeightsPath}"
                : string.Format(CultureInfo.InvariantCulture, "trained {0} epoch(s), final loss {1:F4}; weights: {2}", result.Epochs.Count, last.Loss, result.WeightsPath));
            context.Output.WriteLine($"checkpoint: {result.CheckpointPath}");
            context.Output.WriteLine($"log: {result.LogPath}");
            if (options.TensorBoardDir != null) context.Output.WriteLine($"TensorBoard: {options.TensorBoardDir}");
            return ExitCodes.Ok;
        }, names));
        return command;
    }
}
