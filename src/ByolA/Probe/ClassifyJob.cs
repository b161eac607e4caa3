using ByolA.Data;
using ByolA.Progress;
using static TorchSharp.torch;

namespace ByolA.Probe;

/// <summary>
/// <c>byola classify</c> as a library call: load a saved classifier (<see cref="ByolAClassifier"/>), classify every
/// input file (whole, fitted to unit_sec as evaluate fits clips, or window by window with
/// <see cref="ClassifyOptions.Timestamps"/>), keep the top labels, and write them to <see cref="ClassifyOptions.OutPath"/>.
/// </summary>
public static class ClassifyJob
{
    /// <summary>Files decoded and classified together.</summary>
    const int FilesPerBatch = 32;

    public static ClassifyResult Run(ClassifyOptions options, IProgressReporter? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        progress ??= NullProgressReporter.Instance;
        var files = EmbedderInputs.Expand(options.Inputs, w => progress.Message("warning: " + w));
        // Before the work: an answer that cannot be written is known now.
        if (options.OutPath != null) AtomicFile.CheckWritable(options.OutPath);
        var device = options.TorchDevice ?? (options.Device.Kind == Runtime.DeviceKind.Cpu ? null : options.Device.Resolve());
        using var classifier = ByolAClassifier.Load(options.ClassifierPath, device);
        var file = classifier.File;
        progress.Message($"classifier: {file.Task}, {file.Classes.Count} classes ({(file.MultiLabel ? "multi-label" : "single-label")}), " +
                         $"{ProbeHead.Name(file.Hidden)} head on {file.ModelName}, unit {file.UnitSec:0.###} s" +
                         (file.TestScore is { } t ? $", test {(file.MultiLabel ? "mAP" : "accuracy")} {t * 100:0.00}%" : ""));
        var items = new List<Classification>();
        using (var task = progress.Start("classify", files.Count))
        {
            for (int start = 0; start < files.Count; start += FilesPerBatch)
            {
                ct.ThrowIfCancellationRequested();
                var batch = files.Skip(start).Take(FilesPerBatch).ToList();
                var sounds = batch.Select(f => AudioLoader.LoadMono(f, classifier.SampleRate, w => progress.Message("warning: " + w))).ToList();
                if (options.Timestamps)
                    for (int i = 0; i < batch.Count; i++)
                        items.AddRange(classifier.ClassifyWindows(sounds[i], classifier.SampleRate, options.HopSec, batch[i])
                            .Select(w => w with { Labels = Top(w.Labels, options.Top) }));
                else
                {
                    var labels = classifier.Classify(sounds, classifier.SampleRate);
                    for (int i = 0; i < batch.Count; i++) items.Add(new Classification(batch[i], null, null, Top(labels[i], options.Top)));
                }
                task.Advance(batch.Count);
            }
        }
        var result = new ClassifyResult(file.Task, file.MultiLabel, items, options.OutPath);
        if (options.OutPath != null) ClassifyOutput.Write(options.OutPath, result);
        return result;
    }

    static IReadOnlyList<LabelScore> Top(IReadOnlyList<LabelScore> labels, int k) => labels.Take(k).ToList();
}
