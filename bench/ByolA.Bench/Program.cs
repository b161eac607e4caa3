using ByolA.Runtime;
using ByolA.Weights;
using System.Diagnostics;
using System.Globalization;
using ByolA.Audio;
using ByolA.Augmentations;
using ByolA.Configuration;
using ByolA.Models;
using ByolA.Tasks.Synthetic;
using NAudio.Wave;
using TorchSharp;
using static TorchSharp.torch;

// bench/run.sh drives this: input generation and the in-process log-mel kernel timing.
//   gen DIR N SECONDS RATE CHANNELS     N clips of generated sounds as 16-bit WAV
//   weights FILE D                      a seeded random AudioNTT2020 state dict (PyTorch format)
//   logmel SECONDS BATCH                log-mel frames/s on one-second clips
//   trainstep D BATCH STEPS [PRECISION] BYOL steps/s of the v1 learner alone (random views, after 2 warm-up steps)
//   loader DIR WORKERS BATCH EPOCHS     the training data path alone (decode, random crop, (B, unit) batch tensor, as
//                                       CUDA training feeds the GPU): clips/s of each epoch and per loader thread
//   decode DIR EXT                      decodes every *.EXT in DIR in turn through ByolA.Data.AudioDecoder (one thread)
//   flacparts DIR                       CPU seconds of decoding DIR's FLACs from memory: integers, integers without MD5, floats
var inv = CultureInfo.InvariantCulture;
switch (args.ElementAtOrDefault(0))
{
    case "flacparts":
    {
        var files = Directory.GetFiles(args[1], "*.flac").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        var noMd5 = files.Select(b => { var c = (byte[])b.Clone(); Array.Clear(c, 26, 16); return c; }).ToList();
        for (int round = 0; round < 3; round++)
        {
            var p = Process.GetCurrentProcess();
            double Cpu() { p.Refresh(); return p.TotalProcessorTime.TotalSeconds; }
            var t0 = Cpu();
            foreach (var b in files) ByolA.Data.FlacFile.DecodeIntegers(b, "x", out _);
            var ints = Cpu() - t0; t0 = Cpu();
            foreach (var b in noMd5) ByolA.Data.FlacFile.DecodeIntegers(b, "x", out _);
            var intsNoMd5 = Cpu() - t0; t0 = Cpu();
            foreach (var b in files) ByolA.Data.FlacFile.Decode(b, "x");
            var floats = Cpu() - t0;
            Console.WriteLine($"ints {ints:0.000} ints-no-md5 {intsNoMd5:0.000} floats {floats:0.000}");
        }
        break;
    }
    case "decode":
    {
        var files = Directory.GetFiles(args[1], "*." + args[2]).Order(StringComparer.Ordinal).ToList();
        long samples = 0;
        var watch = Stopwatch.StartNew();
        foreach (var f in files) samples += ByolA.Data.AudioDecoder.Decode(f).Frames;
        Console.WriteLine($"decoded {files.Count} files {samples} frames in {watch.Elapsed.TotalSeconds.ToString("0.000", inv)} s");
        break;
    }
    case "gen":
    {
        string dir = args[1];
        int n = int.Parse(args[2], inv), rate = int.Parse(args[4], inv), channels = int.Parse(args[5], inv);
        double seconds = double.Parse(args[3], inv);
        var kinds = Enum.GetValues<SoundKind>();
        Directory.CreateDirectory(dir);
        Parallel.For(0, n, i =>
        {
            var rng = new SeededRandom(1000 + i);
            var format = new WaveFormat(rate, 16, channels);
            var path = Path.Combine(dir, $"sub{i % 10}", $"clip_{i:D5}.wav");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var chans = Enumerable.Range(0, channels).Select(_ => SoundGenerator.Generate(kinds[i % kinds.Length], rng, rate, seconds)).ToArray();
            using var w = new WaveFileWriter(path, format);
            var frame = new byte[2 * channels];
            for (int t = 0; t < chans[0].Length; t++)
            {
                for (int c = 0; c < channels; c++)
                    BitConverter.TryWriteBytes(frame.AsSpan(2 * c), (short)Math.Clamp(chans[c][t] * 32767, -32768, 32767));
                w.Write(frame, 0, frame.Length);
            }
        });
        Console.WriteLine($"gen {n} files in {dir}");
        break;
    }
    case "weights":
    {
        torch.manual_seed(7);
        using var model = new AudioNTT2020(64, int.Parse(args[2], inv));
        EncoderWeights.Save(model, args[1]);
        Console.WriteLine($"weights {args[1]}");
        break;
    }
    case "logmel":
    {
        double seconds = double.Parse(args[1], inv);
        int batch = int.Parse(args[2], inv);
        // As every byola verb does before computing (threads, native heap).
        ByolA.Runtime.TorchSetup.Initialise(ByolA.Runtime.DeviceSpec.Cpu, null);
        torch.manual_seed(0);
        using var mel = new LogMelSpectrogram(ByolAConfig.V1.FrontEnd);
        using var wav = torch.randn(batch, 16000) * 0.1f;
        long frames = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            var lms = mel.forward(wav);
            frames += lms.shape[0] * lms.shape[^1];
        }
        Console.WriteLine($"logmel frames/s {(frames / sw.Elapsed.TotalSeconds).ToString("F1", inv)}");
        break;
    }
    case "trainstep":
    {
        int d = int.Parse(args[1], inv), bs = int.Parse(args[2], inv), steps = int.Parse(args[3], inv);
        ByolA.Runtime.TorchSetup.Initialise(ByolA.Runtime.DeviceSpec.Cpu, null);
        torch.manual_seed(0);
        using var learner = new ByolA.Learning.ByolLearner(() => new AudioNTT2020(64, d), d, 4096, 256, (64, 96));
        if (args.Length > 4) learner.ComputePrecision = Enum.Parse<NumericPrecision>(args[4], ignoreCase: true);
        using var opt = learner.CreateOptimizer(1e-3);
        var v1 = torch.randn(bs, 1, 64, 96); var v2 = torch.randn(bs, 1, 64, 96);
        Stopwatch? sw = null;
        for (int i = 0; i < steps + 2; i++)
        {
            if (i == 2) sw = Stopwatch.StartNew();
            using var scope = torch.NewDisposeScope();
            learner.Step(opt, v1, v2).item<float>();
        }
        Console.WriteLine($"trainstep s {(sw!.Elapsed.TotalSeconds / steps).ToString("F3", inv)} samples/s {(bs * steps / sw.Elapsed.TotalSeconds).ToString("F1", inv)}");
        break;
    }
    case "loader":
    {
        string dir = args[1];
        int workers = int.Parse(args[2], inv), batch = int.Parse(args[3], inv), epochs = int.Parse(args[4], inv);
        ByolA.Runtime.TorchSetup.Initialise(ByolA.Runtime.DeviceSpec.Cpu, null);
        var files = Directory.GetFiles(dir, "*.wav", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var config = ByolAConfig.V1;
        var source = new ByolA.Data.ClipSource(files, new ByolA.Data.ClipSourceOptions
        {
            SampleRate = config.SampleRate, UnitSamples = config.UnitSamples, Crop = ByolA.Data.ClipCrop.Random, Seed = 42,
            Workers = workers, PrefetchBatches = 3, SkipUnreadable = true,
        });
        var batches = Enumerable.Range(0, files.Count / batch).Select(b => Enumerable.Range(b * batch, batch).ToArray()).ToList();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            long clips = 0;
            // The batch tensor is what training moves to the device (pinned there on CUDA; this build may have no CUDA to pin with).
            foreach (var t in source.Batches(batches, epoch, b => b.ToTensor()))
                using (t) clips += t.shape[0];
            double rate = clips / sw.Elapsed.TotalSeconds;
            Console.WriteLine($"loader epoch {epoch} clips {clips} clips/s {rate.ToString("F1", inv)} per_thread {(rate / workers).ToString("F1", inv)} workers {workers}");
        }
        break;
    }
    default:
        Console.Error.WriteLine("usage: ByolA.Bench gen DIR N SECONDS RATE CHANNELS | weights FILE D | logmel SECONDS BATCH | trainstep D BATCH STEPS [PRECISION] | loader DIR WORKERS BATCH EPOCHS");
        return 2;
}
return 0;
