// The original BYOL-A README's "calculate a feature vector for an audio sample", in C#: load the weights and the
// normalisation statistics, embed one audio file; then, given a classifier saved by `byola evaluate --save-model`,
// label the same file. Usage: ByolA.Sample [WEIGHTS.pth] [AUDIO.wav] [CLASSIFIER]
using ByolA.Audio;
using ByolA;
using ByolA.Data;

var weights = args.Length > 0 ? args[0] : "pretrained_weights/AudioNTT2020-BYOLA-64x96d2048.pth";
var wav = args.Length > 1 ? args[1] : "work/16k/spcv2/one/00176480_nohash_0.wav";

// ** Prepare the statistics in advance **: the mean and standard deviation of the log-mel spectrogram of your data,
// e.g. ByolAModel.ComputeStats("work/16k/spcv2") (one call over a folder of 16 kHz WAVs). These are the README's.
var stats = new NormStats(-5.4919195, 5.0389895);

// Load pretrained weights (architecture and d are read from the file).
using var model = ByolAModel.Load(weights, stats);

// Load your audio file (16 kHz mono; `byola convert-wav` converts others) and convert it to the representation:
// the whole file, pooled over time as BYOL-A pools clips.
float[] features = model.EmbedFile(wav);
Console.WriteLine($"{model.Architecture}: {features.Length}-d embedding of {wav}: [{string.Join(", ", features.Take(4).Select(v => v.ToString("F4")))}, …]");

// Frame-level features with their times, as HEAR's get_timestamp_embeddings returns them.
var audio = AudioLoader.LoadMono(wav, model.SampleRate);
var frames = model.TimestampEmbeddings([audio], model.SampleRate);
Console.WriteLine($"{frames.Embeddings[0].Length} frames of {model.TimestampEmbeddingSize} values, every {model.TimestampHopMs} ms from {frames.TimestampsMs[0][0]} ms");

// A classifier saved by `byola evaluate WEIGHTS TASK --save-model FILE` keeps what the probe learned: the encoder,
// stats, scaler, head and class names in one file. It labels sounds of any length (fitted to its unit_sec).
if (args.Length > 2)
{
    using var classifier = ByolA.Probe.ByolAClassifier.Load(args[2]);
    foreach (var (label, probability) in classifier.Classify(audio, classifier.SampleRate).Take(3))
        Console.WriteLine($"{label}: {probability:0.000}");
}
