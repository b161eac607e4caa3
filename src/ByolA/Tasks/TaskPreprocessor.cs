using ByolA.Data;
using ByolA.Audio;
using ByolA.Progress;

namespace ByolA.Tasks;

/// <summary>
/// <c>byola preprocess</c> as a library call (SPEC §7): build the task's metadata from the dataset as distributed,
/// check it against the published counts (differences are warnings), convert the audio to WORK/16k/TASK with the
/// convert-wav conversion (mono, resampled, 16-bit), cut derived clips, and write WORK/metadata/TASK.csv last.
/// Safe to rerun: every output is written atomically, so a file that exists is complete and is kept.
/// </summary>
public static class TaskPreprocessor
{
    public static PreprocessResult Run(PreprocessOptions options, IProgressReporter? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        progress ??= NullProgressReporter.Instance;
        var task = TaskRegistry.Get(options.Task);
        var root = Path.GetFullPath(options.DatasetRoot);
        var build = task.Build(root, options, progress, ct);

        var warnings = build.Notes.Concat(task.Official.Differences(task.Name, build.Metadata)).ToList();
        foreach (var w in warnings) progress.Message("warning: " + w);

        var audioDir = Path.GetFullPath(options.AudioDir);
        var (converted, existing) = Convert(build.Files, audioDir, options, progress, ct);
        int slices = Slice(build.Slices, audioDir, options.SampleRate, progress, ct);

        build.Metadata.Write(options.MetadataPath);
        return new PreprocessResult(task.Name, options.MetadataPath, options.AudioDir, build.Metadata.Rows.Count,
            build.Metadata.Classes.Count, converted, existing, slices, warnings);
    }

    static (int Converted, int Existing) Convert(IReadOnlyList<TaskFile> files, string audioDir, PreprocessOptions options,
        IProgressReporter progress, CancellationToken ct)
    {
        var pairs = files.Select(f => (f.Source, TaskMetadata.Resolve(audioDir, f.FileName))).ToList();
        // The convert-wav conversion itself; it keeps outputs that are complete and newer than their source.
        var report = WavConverter.ConvertFiles(pairs, options.SampleRate, options.Workers, overwrite: false, progress, ct,
            options.Device, protectedFolder: FilePaths.Real(options.DatasetRoot));
        if (!report.Succeeded)
            throw new ByolAException($"{options.Task}: {report.Failures.Count} of {files.Count} audio files could not be converted, e.g. " +
                                     string.Join("; ", report.Failures.Take(3).Select(f => f.Reason)) +
                                     $"; the {report.Converted + report.Skipped} good files are in {options.AudioDir} and a rerun keeps them");
        return (report.Converted, report.Skipped);
    }

    static int Slice(IReadOnlyList<TaskSlice> slices, string audioDir, int sampleRate, IProgressReporter progress, CancellationToken ct)
    {
        var todo = slices.Where(s => !File.Exists(TaskMetadata.Resolve(audioDir, s.FileName))).ToList();
        if (todo.Count == 0) return 0;
        using var task = progress.Start("cutting clips", todo.Count);
        foreach (var group in todo.GroupBy(s => s.From))
        {
            ct.ThrowIfCancellationRequested();
            var from = TaskMetadata.Resolve(audioDir, group.Key);
            var samples = AudioLoader.LoadMono(from, sampleRate);
            foreach (var s in group)
            {
                if (s.Start + s.Length > samples.Length)
                    throw new ByolAException($"{from}: {samples.Length} samples, too short for the clip {s.FileName} at {s.Start}+{s.Length}");
                // Back to the exact 16-bit values the converted file holds, so cutting adds no requantisation.
                var pcm = new short[s.Length];
                for (long i = 0; i < s.Length; i++)
                    pcm[i] = (short)Math.Clamp(Math.Round(samples[s.Start + i] * 32768.0), short.MinValue, short.MaxValue);
                WavFile.WritePcm16(TaskMetadata.Resolve(audioDir, s.FileName), pcm, sampleRate);
                task.Advance();
            }
        }
        return todo.Count;
    }
}
