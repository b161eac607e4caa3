using ByolA.Audio;
using ByolA.Configuration;
using ByolA.Data;
using ByolA.Embedding;
using ByolA.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Probe;

/// <summary>
/// A classifier saved by <c>byola evaluate</c> (<see cref="ClassifierFile"/>), ready to label new audio: the encoder,
/// its normalisation stats and the trained probe, as evaluate used them. Each sound is fitted to the classifier's
/// unit_sec as evaluate fits clips (zero-padded on both ends when shorter; cropped at the centre when longer),
/// embedded, and scored: softmax over the classes, or one sigmoid per class for a multi-label classifier.
/// <code>
/// using var classifier = ByolAClassifier.Load("us8k.byolac");
/// foreach (var (label, p) in classifier.Classify(samples, 16000).Take(3)) Console.WriteLine($"{label} {p:0.000}");
/// </code>
/// </summary>
public sealed class ByolAClassifier : IDisposable
{
    /// <summary>Clips embedded per encoder call.</summary>
    const int Batch = 32;

    readonly IEmbeddingEngine engine;
    readonly ProbeClassifier probe;
    readonly string encoderFolder;

    ByolAClassifier(ClassifierFile file, IEmbeddingEngine engine, ProbeClassifier probe, string encoderFolder)
    {
        File = file;
        this.engine = engine;
        this.probe = probe;
        this.encoderFolder = encoderFolder;
    }

    /// <summary>What the file says: task, classes, kind, unit_sec, stats, head, the run it comes from.</summary>
    public ClassifierFile File { get; }

    /// <summary>Class names; scores come in this order from <see cref="Probabilities"/>.</summary>
    public IReadOnlyList<string> Classes => File.Classes;

    /// <summary>True when each class is scored on its own (sigmoid; several may be present at once).</summary>
    public bool MultiLabel => File.MultiLabel;

    /// <summary>Samples per second the audio must have.</summary>
    public int SampleRate => File.FrontEnd.SampleRate;

    /// <summary>Seconds each sound is fitted to before embedding.</summary>
    public double UnitSec => File.UnitSec;

    /// <summary>
    /// Loads a classifier file. The encoder and probe run on <paramref name="device"/> (default: the CPU); a classifier
    /// whose encoder is an exported .onnx model runs in ONNX Runtime on the CPU whatever the device.
    /// </summary>
    /// <exception cref="ByolAException">The file is not a classifier, or its parts do not fit together.</exception>
    public static ByolAClassifier Load(string path, Device? device = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "byola-classifier-" + Guid.NewGuid().ToString("N"));
        IEmbeddingEngine? engine = null;
        try
        {
            var (file, encoderPath) = ClassifierFile.Read(path, folder);
            var fe = file.FrontEnd;
            var config = ByolAConfig.V1 with
            {
                SampleRate = fe.SampleRate, NFft = fe.NFft, WinLength = fe.WinLength, HopLength = fe.HopLength, NMels = fe.NMels,
                FMin = fe.FMin, FMax = fe.FMax, UnitSec = file.UnitSec,
            };
            // An ONNX encoder runs in ONNX Runtime on the CPU whatever device was asked for (auto), and the probe with it.
            bool onnx = Path.GetExtension(encoderPath).Equals(".onnx", StringComparison.OrdinalIgnoreCase);
            if (onnx) device = null;
            var spec = onnx ? DeviceSpec.Auto
                : device is null ? DeviceSpec.Cpu : device.type == DeviceType.CUDA ? new DeviceSpec(DeviceKind.Cuda, device.index) : DeviceSpec.Cpu;
            engine = EmbeddingEngine.Open(encoderPath, new EngineOptions { Config = config, Device = spec, TorchDevice = device, SetUpProcess = false });
            if (engine.FeatureD != file.FeatureD)
                throw new ByolAException($"{path}: the head takes {file.FeatureD}-d embeddings but the encoder inside gives {engine.FeatureD}-d " +
                                         "(another encoder's weights); save the classifier again from one evaluation");
            if (engine.OwnStats is { } own && own != file.Stats)
                throw new ByolAException($"{path}: the encoder inside carries normalisation stats {own}, the classifier {file.Stats} (stats of another model); save the classifier again");
            var probe = Build(file, device ?? CPU);
            return new ByolAClassifier(file, engine, probe, folder);
        }
        catch
        {
            engine?.Dispose();
            TryDelete(folder);
            throw;
        }
    }

    static ProbeClassifier Build(ClassifierFile file, Device device)
    {
        var scaler = StandardScaler.From(tensor(file.ScalerMean).to(device), tensor(file.ScalerScale).to(device));
        var head = new ProbeHead(file.FeatureD, file.Hidden, file.Classes.Count);
        using (no_grad())
        {
            for (int i = 0; i < file.Layers.Count; i++)
            {
                using var w = tensor(file.Layers[i].Weight, file.Layers[i].Shape);
                using var b = tensor(file.Layers[i].Bias);
                head.Layers[i].weight!.copy_(w);
                head.Layers[i].bias!.copy_(b);
            }
        }
        head.to(device);
        return new ProbeClassifier(scaler, head, file.Hidden, file.MultiLabel, 0, 0, double.NaN);
    }

    /// <summary>
    /// Every class with its probability for one mono sound of any length at <paramref name="sampleRate"/> (which must be
    /// <see cref="SampleRate"/>), highest first.
    /// </summary>
    public IReadOnlyList<LabelScore> Classify(float[] samples, int sampleRate) => Classify([samples], sampleRate)[0];

    /// <summary>As <see cref="Classify(float[], int)"/> for several sounds, embedded in batches.</summary>
    public IReadOnlyList<IReadOnlyList<LabelScore>> Classify(IReadOnlyList<float[]> sounds, int sampleRate)
    {
        var p = Probabilities(sounds, sampleRate);
        return Enumerable.Range(0, sounds.Count).Select(i => (IReadOnlyList<LabelScore>)Enumerable.Range(0, Classes.Count)
            .Select(c => new LabelScore(Classes[c], p[i, c])).OrderByDescending(s => s.Score).ThenBy(s => s.Label, StringComparer.Ordinal).ToList()).ToList();
    }

    /// <summary>
    /// A long sound classified window by window: windows of <see cref="UnitSec"/> starting every
    /// <paramref name="hopSec"/> seconds (default <see cref="UnitSec"/>), the last one ending with the sound (a sound
    /// shorter than one window is one padded window), each with every class, highest first. Each window is classified
    /// exactly as a clip of that length would be.
    /// </summary>
    public IReadOnlyList<Classification> ClassifyWindows(float[] samples, int sampleRate, double? hopSec = null, string file = "")
    {
        int unit = (int)(UnitSec * SampleRate);
        int hop = Math.Max(1, (int)Math.Round((hopSec ?? UnitSec) * SampleRate));
        var starts = new List<int>();
        for (int start = 0; start + unit <= samples.Length; start += hop) starts.Add(start);
        // The tail the hops missed gets a window that ends with the sound.
        if (starts.Count == 0 || starts[^1] + unit < samples.Length) starts.Add(Math.Max(0, samples.Length - unit));
        var windows = starts.Select(s => samples.AsSpan(s, Math.Min(unit, samples.Length - s)).ToArray()).ToList();
        var labels = Classify(windows, sampleRate);
        return starts.Select((s, i) => new Classification(file, (double)s / SampleRate, (double)Math.Min(s + unit, samples.Length) / SampleRate, labels[i])).ToList();
    }

    /// <summary>The classes of a mono WAV file at <see cref="SampleRate"/>, highest first.</summary>
    public IReadOnlyList<LabelScore> ClassifyFile(string path) => Classify(AudioLoader.LoadMono(path, SampleRate), SampleRate);

    /// <summary>(n sounds, C classes) probabilities in <see cref="Classes"/> order.</summary>
    public float[,] Probabilities(IReadOnlyList<float[]> sounds, int sampleRate)
    {
        if (sampleRate != SampleRate)
            throw new ArgumentException($"audio at {sampleRate} Hz: the classifier takes {SampleRate} Hz; resample it first (byola convert-wav does for files)", nameof(sampleRate));
        int unit = (int)(UnitSec * SampleRate);
        var result = new float[sounds.Count, Classes.Count];
        for (int start = 0; start < sounds.Count; start += Batch)
        {
            int count = Math.Min(Batch, sounds.Count - start);
            var clips = new float[(long)count * unit];
            for (int i = 0; i < count; i++)
                UnitClip.Fit(sounds[start + i], unit, null).CopyTo(clips, (long)i * unit);
            var rows = engine.EmbedClips(clips, count, unit, File.Stats, frames: false);
            using var scope = NewDisposeScope();
            var p = ProbeTrainer.ToArray(probe.Probabilities(tensor(rows.Values, rows.Shape)));
            for (int i = 0; i < count; i++)
                for (int c = 0; c < Classes.Count; c++) result[start + i, c] = p[i, c];
        }
        return result;
    }

    public void Dispose()
    {
        probe.Dispose();
        engine.Dispose();
        TryDelete(encoderFolder);
    }

    static void TryDelete(string folder)
    {
        // A temporary copy of the encoder: leaving it behind costs disk space, not correctness.
        try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
        catch (Exception e) when (IoErrors.IsIo(e)) { }
    }
}
