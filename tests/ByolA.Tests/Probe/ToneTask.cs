using ByolA.Data;
using ByolA.Audio;
using ByolA.Tasks;

namespace ByolA.Tests.Probe;

/// <summary>
/// A generated, clearly separable task for end-to-end evaluation tests: each class is a tone band (300 Hz,
/// 1 kHz, 3 kHz, ±8% jitter per clip) in light noise, 1 s at 16 kHz mono, written below AUDIO with a metadata CSV.
/// </summary>
public static class ToneTask
{
    public static readonly double[] Frequencies = [300, 1000, 3000];

    /// <summary>Writes the clips and returns the metadata path; split tasks get train/valid/test, fold tasks folds 1..folds.</summary>
    public static string Write(string root, int train = 8, int valid = 3, int test = 4, int folds = 0, int seed = 1, bool shuffleLabels = false)
    {
        var rng = new Random(seed);
        var audio = Path.Combine(root, "audio");
        var rows = new List<MetadataRow>();
        int perClass = folds > 0 ? folds * 4 : train + valid + test;
        for (int c = 0; c < Frequencies.Length; c++)
            for (int k = 0; k < perClass; k++)
            {
                var name = $"c{c}/{k:D3}.wav";
                double f = Frequencies[c] * (1 + 0.16 * (rng.NextDouble() - 0.5));
                var wav = new float[16000];
                double phase = rng.NextDouble() * 2 * Math.PI;
                for (int i = 0; i < wav.Length; i++)
                    wav[i] = (float)(0.3 * Math.Sin(2 * Math.PI * f * i / 16000 + phase) + 0.02 * (rng.NextDouble() - 0.5));
                WavFile.WritePcm16(Path.Combine(audio, name), wav, 16000);
                string label = "class" + c;
                if (folds > 0) rows.Add(new MetadataRow(name, label, Fold: 1 + k % folds));
                else rows.Add(new MetadataRow(name, label, k < train ? Splits.Train : k < train + valid ? Splits.Valid : Splits.Test));
            }
        if (shuffleLabels)
        {
            var labels = rows.Select(r => r.Label).ToArray();
            rng.Shuffle(labels);
            rows = rows.Select((r, i) => r with { Label = labels[i] }).ToList();
        }
        var path = Path.Combine(root, "tones.csv");
        new TaskMetadata(rows).Write(path);
        return path;
    }

    /// <summary>
    /// A multi-label tone task: clip k holds the tones of the non-empty subset (k mod 7) + 1 of the three bands, each
    /// tone at a third of the single-label level, labelled with its classes (<c>"class0,class2"</c>). With
    /// <paramref name="class2OutOfTest"/> no test clip holds class2 (it stays in train and valid).
    /// </summary>
    public static string WriteMultiLabel(string root, int train = 14, int valid = 7, int test = 7, int seed = 1, bool class2OutOfTest = false)
    {
        var rng = new Random(seed);
        var audio = Path.Combine(root, "audio");
        var rows = new List<MetadataRow>();
        for (int k = 0; k < train + valid + test; k++)
        {
            int subset = k % 7 + 1;
            string split = k < train ? Splits.Train : k < train + valid ? Splits.Valid : Splits.Test;
            if (class2OutOfTest && split == Splits.Test && (subset & 4) != 0) subset &= 3;
            if (subset == 0) subset = 1;
            var name = $"mix/{k:D3}.wav";
            var wav = new float[16000];
            var classes = new List<string>();
            for (int c = 0; c < Frequencies.Length; c++)
            {
                if ((subset & (1 << c)) == 0) continue;
                classes.Add("class" + c);
                double f = Frequencies[c] * (1 + 0.16 * (rng.NextDouble() - 0.5)), phase = rng.NextDouble() * 2 * Math.PI;
                for (int i = 0; i < wav.Length; i++) wav[i] += (float)(0.1 * Math.Sin(2 * Math.PI * f * i / 16000 + phase));
            }
            for (int i = 0; i < wav.Length; i++) wav[i] += (float)(0.02 * (rng.NextDouble() - 0.5));
            WavFile.WritePcm16(Path.Combine(audio, name), wav, 16000);
            rows.Add(new MetadataRow(name, string.Join(",", classes), split));
        }
        var path = Path.Combine(root, "mixes.csv");
        new TaskMetadata(rows).Write(path);
        return path;
    }
}
