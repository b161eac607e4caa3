using ByolA.Embedding;
using ByolA.Data;
using System.CommandLine;

namespace ByolA.Cli.Commands;

/// <summary><c>byola embed WEIGHTS INPUT...</c>: one embedding row per audio file.</summary>
public static class EmbedCommand
{
    public static Command Create(CliContext context)
    {
        var weights = new Argument<string>("weights") { Description = "Encoder weights: a PyTorch .pth state dict of AudioNTT2020 (v1) or AudioNTT2022 (v2) (d and n_mels are read from the weights), or an .onnx model from 'byola export', run by ONNX Runtime without libtorch." };
        var inputs = new Argument<string[]>("inputs") { Description = "Audio files or folders (searched recursively for audio files). Mono WAV at the config's sample_rate (run convert-wav first for other WAVs), or FLAC, MP3, Ogg Vorbis, Opus (M4A/AAC, WebM, … with ffmpeg on PATH), decoded and converted as convert-wav would.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out", "-o")
        {
            Description = "Output file: .npy (float32, rows in input order, plus FILE.files.npy, a NumPy string vector of the files that keeps any file name exact), .csv (file,e0,e1,...) or .npz (embeddings and files; with --timestamps also timestamps and offsets). Default: embeddings.npy.",
            HelpName = "FILE.npy|FILE.csv|FILE.npz",
            DefaultValueFactory = _ => "embeddings.npy",
        };
        var statsOptions = new StatsOptions(
            "Normalisation mean and std of the log-mel, e.g. --stats -5.49,5.04. Default: computed from the inputs (up to 10000 files), or an .onnx model's own stats.",
            "Compute the normalisation stats from the audio files below DIR (e.g. the training data) instead of the inputs.");
        var unitSec = new Option<double?>("--unit-sec")
        {
            Description = "Clip length in seconds: shorter files are zero-padded, longer ones cropped (config unit_sec; default 0.95).",
            HelpName = "S",
        };
        var layered = new Option<bool>("--layered") { Description = "Concatenate the features of all five layers (AudioNTT2020X; v1 weights only)." };
        var frames = new Option<bool>("--frames") { Description = "Write frame-level features (N, T', d) instead of one pooled row per file (CSV: one row per frame)." };
        var batch = new Option<int>("--batch")
        {
            Description = "Clips per encoder batch.",
            HelpName = "N",
            DefaultValueFactory = _ => 64,
        };
        var randomCrop = new Option<bool>("--random-crop") { Description = "Crop files longer than unit_sec at a random start (seeded by the config's seed) instead of the centre, as the original evaluation does." };
        var skipBad = new Option<bool>("--skip-bad") { Description = "Skip unreadable or incompatible audio files (listed at the end) instead of stopping at the first one." };
        var timestamps = new Option<bool>("--timestamps")
        {
            Description = "Frame embeddings of each whole file (any length, no crop) at the encoder's own rate — one per 80 ms (v1) or 40 ms (v2) — " +
                          "with each frame's centre time, into an .npz: embeddings (ΣT, d) float32, timestamps (ΣT,) ms, offsets (N+1,) int64, files (N,).",
        };
        var hopMs = new Option<double?>("--hop-ms")
        {
            Description = "With --timestamps: instead of frames, unit_sec windows every H ms (H ≥ 10), each pooled like a clip embedding, timed at its centre.",
            HelpName = "H",
        };
        var whole = new Option<bool>("--whole")
        {
            Description = "One embedding per file over all its frames (max + mean, as clips are pooled), with no crop or pad; files shorter than the encoder's minimum are padded and named.",
        };
        var shard = new Option<string?>("--shard")
        {
            Description = "Embed only shard K of N of the inputs (contiguous, in input order) into an .npz part; 'auto' takes K/N from " +
                          "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (Slurm arrays) or JOB_COMPLETION_INDEX with BYOLA_SHARD_COUNT (Kubernetes Indexed Jobs). " +
                          "Join the parts with byola merge-embeddings. Stats computed from the inputs use all inputs.",
            HelpName = "K/N|auto",
        };

        var command = new Command("embed", "Compute BYOL-A embeddings for audio files: one row per file, in input order (folders sorted by path).")
        {
            weights, inputs, output, unitSec, layered, frames, batch, randomCrop, skipBad, timestamps, hopMs, whole, shard,
        };
        statsOptions.AddTo(command);
        var compute = new ComputeOptions().AddTo(command);
        var tf32 = ComputeOptions.Tf32();
        command.Options.Add(tf32);
        var precision = ComputeOptions.Precision("Default fp32 whatever the config trains in; bf16 embeddings are still written as float32.");
        command.Options.Add(precision);
        compute.ConfigFlag("unit_sec", unitSec);
        var names = compute.Names.Add(nameof(EmbedderOptions.Tf32), tf32).Add(nameof(EmbedderOptions.Precision), precision).Add(nameof(EmbedderJobOptions.WeightsPath), weights).Add(nameof(EmbedderJobOptions.Inputs), inputs)
            .Add(nameof(EmbedderJobOptions.OutPath), output).Add(nameof(EmbedderJobOptions.Stats), statsOptions.Stats)
            .Add(nameof(EmbedderJobOptions.StatsFrom), statsOptions.StatsFrom).Add(nameof(EmbedderJobOptions.Layered), layered)
            .Add(nameof(EmbedderJobOptions.Mode), timestamps).Add(nameof(EmbedderJobOptions.Mode), whole).Add(nameof(EmbedMode.Timestamps), timestamps)
            .Add(nameof(EmbedderJobOptions.HopMs), hopMs).Add(nameof(EmbedderJobOptions.Shard), shard)
            .Add(nameof(EmbedderOptions.BatchSize), batch).Add(nameof(EmbedderOptions.Crop), randomCrop)
            .Add(nameof(EmbedderOptions.Frames), frames).Add(nameof(EmbedderOptions.SkipBad), skipBad)
            .Add(nameof(EmbedderJobOptions.Threads), compute.Threads);
        command.SetAction(parse => VerbRunner.Run(context, parse, ct =>
        {
            var (given, statsDir) = statsOptions.Get(parse);
            bool wantTimestamps = parse.GetValue(timestamps), wantWhole = parse.GetValue(whole);
            if (wantTimestamps && wantWhole) throw new UsageException("give either --timestamps or --whole, not both");
            EmbeddingShard? shardSpec = null;
            if (parse.GetValue(shard) is { } shardText)
            {
                try
                {
                    shardSpec = shardText.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase)
                        ? EmbeddingShard.FromEnvironment(Environment.GetEnvironmentVariable)
                        : EmbeddingShard.Parse(shardText);
                }
                catch (ByolAException e) { throw new UsageException("--shard: " + e.Message); }
            }
            var config = compute.LoadConfig(parse);
            var weightsPath = parse.GetValue(weights)!;
            var outPath = parse.GetValue(output) ?? "embeddings.npy";
            var options = new EmbedderJobOptions
            {
                WeightsPath = weightsPath,
                Inputs = parse.GetValue(inputs) ?? [],
                OutPath = outPath,
                Stats = given,
                StatsFrom = statsDir,
                Layered = parse.GetValue(layered),
                Mode = wantTimestamps ? EmbedMode.Timestamps : wantWhole ? EmbedMode.Whole : EmbedMode.Clip,
                HopMs = parse.GetValue(hopMs),
                Shard = shardSpec,
                Device = compute.GetDevice(parse),
                Threads = parse.GetValue(compute.Threads),
                Embedding = new EmbedderOptions
                {
                    Config = config,
                    BatchSize = parse.GetValue(batch),
                    Crop = parse.GetValue(randomCrop) ? ClipCrop.Random : ClipCrop.Centre,
                    Seed = config.Seed,
                    Frames = parse.GetValue(frames),
                    SkipBad = parse.GetValue(skipBad),
                    Tf32 = parse.GetValue(tf32),
                    Precision = ComputeOptions.ParsePrecision(parse, precision),
                },
            }.Validate();
            // The library picks the runtime from the weights: an .onnx model runs in ONNX Runtime and never loads libtorch.
            var result = EmbedderJob.Run(options, context.CreateProgress(), ct);
            if (result.Skipped.Count > 0)
            {
                context.Error.WriteLine($"skipped {result.Skipped.Count} unreadable file(s):");
                foreach (var (path, reason) in result.Skipped) context.Error.WriteLine($"  {reason}");
            }
            context.Output.WriteLine($"wrote {string.Join(" × ", result.Shape)} {result.Architecture} embeddings (stats {result.Stats}) to {string.Join(", ", result.Written)}");
            return ExitCodes.Ok;
        }, names));
        return command;
    }
}
