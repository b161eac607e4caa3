using System.CommandLine;
using ByolA.Audio;
using ByolA.Runtime;

namespace ByolA.Cli.Commands;

/// <summary><c>byola convert-wav FROM TO</c>: mono, resampled, 16-bit WAV copies of every audio file below FROM.</summary>
public static class ConvertWavCommand
{
    public static Command Create(CliContext context)
    {
        var from = new Argument<DirectoryInfo>("from") { Description = "Source folder, searched recursively for audio files (WAV, FLAC, MP3, Ogg Vorbis, Opus; M4A/AAC, WebM and others through ffmpeg on PATH; any letter case). Never written to." };
        var to = new Argument<DirectoryInfo>("to") { Description = "Destination folder (same relative paths); created if needed; must not be FROM or inside it." };
        var sampleRate = new Option<int?>("--sample-rate")
        {
            Description = "Output sample rate in Hz. Default: the config's sample_rate (16000).",
            HelpName = "HZ",
        };
        var jobs = new Option<int?>("--jobs", "-j")
        {
            Description = "Files converted in parallel. Default: the number of cores.",
            HelpName = "N",
        };
        var ext = new Option<string?>("--ext")
        {
            Description = "Only files with these extensions, comma-separated (e.g. flac,mp3). Default: " + string.Join(",", ConvertWavOptions.AllExtensions) +
                          ". Each file is decoded by its content, whatever its extension.",
            HelpName = "EXT[,EXT...]",
        };
        var overwrite = new Option<bool>("--overwrite")
        {
            Description = "Convert every file again. Without it, outputs that are complete and not older than their source are kept, so an interrupted run can simply be restarted.",
        };
        var command = new Command("convert-wav",
            "Convert every audio file below FROM to mono 16-bit PCM WAV at the config's sample rate, below TO with the same relative paths " +
            "and the extension changed to .wav (two sources that would give the same output are refused): " +
            "channels are averaged, resampled with torchaudio's default windowed-sinc filter, and scaled by 32767 with clamping. " +
            "Each output appears only when complete (written to a temporary name, then renamed). Unreadable inputs are listed " +
            "at the end and make the exit code 1; every other file is still converted.")
        {
            from, to, sampleRate, jobs, ext, overwrite,
        };
        var compute = new ComputeOptions().AddTo(command);
        compute.Device.Description = "Where to resample: auto and cpu run a managed filter on the CPU without loading libtorch (fastest for " +
                                     "file conversion); cuda or cuda:N runs the same filter as a torch conv1d on that GPU.";
        compute.Threads.Description = "Torch threads per file, used only with --device cuda[:N]. Default: 1, since --jobs already converts files in parallel.";
        var names = compute.Names.Add(nameof(ConvertWavOptions.SampleRate), sampleRate).Add(nameof(ConvertWavOptions.Jobs), jobs)
            .Add(nameof(ConvertWavOptions.Extensions), ext)
            .Add(nameof(ConvertWavOptions.From), from).Add(nameof(ConvertWavOptions.To), to);
        command.SetAction(parse => VerbRunner.Run(context, parse, ct =>
        {
            // --sample-rate is not a config override: converting to 8 kHz must not trip the config's f_max check.
            var config = compute.LoadConfig(parse);
            var options = new ConvertWavOptions
            {
                From = parse.GetValue(from)!.FullName,
                To = parse.GetValue(to)!.FullName,
                SampleRate = parse.GetValue(sampleRate) ?? config.SampleRate,
                Jobs = parse.GetValue(jobs) ?? Environment.ProcessorCount,
                Overwrite = parse.GetValue(overwrite),
                Extensions = parse.GetValue(ext)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(e => e.TrimStart('.').ToLowerInvariant()).ToList(),
            }.Validate();
            // Only a GPU needs libtorch; auto and cpu take the managed path, which is faster than a per-file GPU round trip
            // and saves loading the native runtime (about half a second).
            var spec = compute.GetDevice(parse);
            if (spec.IsCuda) options = options with { Device = TorchSetup.Initialise(spec, parse.GetValue(compute.Threads) ?? 1) };
            var report = WavConverter.Run(options, context.CreateProgress(), ct);
            context.Output.WriteLine($"{report.Total} audio file(s): {report.Converted} converted, {report.Skipped} already up to date, " +
                                     $"{report.Failures.Count} failed → {options.To} ({options.SampleRate} Hz mono 16-bit)");
            if (report.Succeeded) return ExitCodes.Ok;
            context.Error.WriteLine($"error: {report.Failures.Count} file(s) could not be converted:");
            foreach (var failure in report.Failures) context.Error.WriteLine($"  {failure.Reason}");
            return ExitCodes.Failure;
        }, names));
        return command;
    }
}
