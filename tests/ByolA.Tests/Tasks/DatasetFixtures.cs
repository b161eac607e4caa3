using NAudio.Wave;

namespace ByolA.Tests.Tasks;

/// <summary>
/// Miniature replicas of each benchmark dataset's layout as distributed (folders, list files, metadata), with a few
/// tiny synthetic clips, so the metadata builders and preprocess run on the real structure in milliseconds.
/// </summary>
public static class DatasetFixtures
{
    /// <summary>A short 16-bit WAV: a sine whose frequency depends on <paramref name="tone"/>.</summary>
    public static void Wav(string path, int tone = 0, double seconds = 0.05, int sampleRate = 16000, int channels = 1)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new WaveFileWriter(path, new WaveFormat(sampleRate, 16, channels));
        int n = (int)(seconds * sampleRate);
        var samples = new float[n * channels];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < channels; c++)
                samples[i * channels + c] = 0.3f * MathF.Sin(2 * MathF.PI * (200 + 100 * tone) * i / sampleRate);
        writer.WriteSamples(samples, 0, samples.Length);
    }

    /// <summary>
    /// Speech Commands: WORD/SPEAKER_nohash_K.wav for each word, _background_noise_ with two recordings of
    /// <paramref name="noiseSeconds"/>, and validation/testing lists naming one clip of each word each.
    /// </summary>
    public static void SpeechCommands(string root, string[] words, int clipsPerWord = 3, double noiseSeconds = 2.5)
    {
        var valid = new List<string>();
        var test = new List<string>();
        for (int w = 0; w < words.Length; w++)
            for (int k = 0; k < clipsPerWord; k++)
            {
                var rel = $"{words[w]}/spk{k:x8}_nohash_0.wav";
                Wav(Path.Combine(root, rel), w);
                if (k == 1) valid.Add(rel);
                if (k == 2) test.Add(rel);
            }
        Wav(Path.Combine(root, "_background_noise_", "white_noise.wav"), 9, noiseSeconds);
        Wav(Path.Combine(root, "_background_noise_", "running_tap.wav"), 8, noiseSeconds);
        File.WriteAllLines(Path.Combine(root, "validation_list.txt"), valid);
        File.WriteAllLines(Path.Combine(root, "testing_list.txt"), test);
        File.WriteAllText(Path.Combine(root, "README.md"), "speech commands");
    }

    /// <summary>UrbanSound8K: metadata/UrbanSound8K.csv and audio/foldN/ with one clip per class per fold.</summary>
    public static void UrbanSound8K(string root, string[] classes, int folds = 10)
    {
        var lines = new List<string> { "slice_file_name,fsID,start,end,salience,fold,classID,class" };
        for (int f = 1; f <= folds; f++)
            for (int c = 0; c < classes.Length; c++)
            {
                var name = $"{100 + f}-{c}-0-0.wav";
                // UrbanSound8K clips are mostly 44.1 kHz stereo: exercise the conversion.
                Wav(Path.Combine(root, "audio", $"fold{f}", name), c, 0.05, 44100, 2);
                lines.Add($"{name},{100 + f},0.0,0.05,1,{f},{c},{classes[c]}");
            }
        File.WriteAllLines(Path.Combine(root, "metadata", "UrbanSound8K.csv").Also(p => Directory.CreateDirectory(Path.GetDirectoryName(p)!)), lines);
    }

    /// <summary>NSynth: nsynth-{train,valid,test}/examples.json and audio/NOTE.wav.</summary>
    public static void NSynth(string root, string[] families, int perSplit = 2)
    {
        foreach (var split in new[] { "train", "valid", "test" })
        {
            var entries = new List<string>();
            for (int f = 0; f < families.Length; f++)
                for (int k = 0; k < perSplit; k++)
                {
                    var note = $"{families[f]}_acoustic_{k:D3}-0{60 + k}-100";
                    Wav(Path.Combine(root, $"nsynth-{split}", "audio", note + ".wav"), f);
                    entries.Add($"\"{note}\": {{\"note\": {k}, \"pitch\": {60 + k}, \"instrument_family_str\": \"{families[f]}\", \"instrument_source_str\": \"acoustic\"}}");
                }
            File.WriteAllText(Path.Combine(root, $"nsynth-{split}", "examples.json"), "{" + string.Join(",\n", entries) + "}");
        }
    }

    /// <summary>VoxCeleb1: iden_split.txt and wav/idXXXXX/VIDEO/N.wav; each speaker has a train, valid and test clip.</summary>
    public static void VoxCeleb1(string root, int speakers)
    {
        var lines = new List<string>();
        for (int s = 0; s < speakers; s++)
            for (int k = 1; k <= 3; k++)
            {
                var rel = $"id{10001 + s}/vid{s}abc/{k:D5}.wav";
                Wav(Path.Combine(root, "wav", rel), s);
                lines.Add($"{k} {rel}");
            }
        File.WriteAllLines(Path.Combine(root, "iden_split.txt"), lines);
    }

    /// <summary>
    /// VoxForge: extracted session folders SESSION/{wav,etc}; per language three speakers with two sessions' worth
    /// of clips; the language is in etc/README except for one anonymous session whose archive folder names it.
    /// </summary>
    public static void VoxForge(string root, string[] languages)
    {
        var names = new Dictionary<string, string> { ["de"] = "German", ["en"] = "English", ["es"] = "Spanish", ["fr"] = "French", ["it"] = "Italian", ["ru"] = "Russian" };
        for (int l = 0; l < languages.Length; l++)
        {
            for (int s = 0; s < 3; s++)
            {
                var session = Path.Combine(root, $"{languages[l]}speaker{s}-20100101-{s}ab");
                Wav(Path.Combine(session, "wav", "a0001.wav"), l);
                Wav(Path.Combine(session, "wav", "a0002.wav"), l);
                Directory.CreateDirectory(Path.Combine(session, "etc"));
                File.WriteAllLines(Path.Combine(session, "etc", "README"),
                    [$"User Name:{languages[l]}speaker{s}", "Gender: Male", $"Language: {names[languages[l]]}"]);
            }
            var anonymous = Path.Combine(root, languages[l], $"anonymous-20080504-x{l}");
            Wav(Path.Combine(anonymous, "wav", "b0001.wav"), l);
        }
    }

    /// <summary>FSDnoisy18k: FSDnoisy18k.meta/{train,test}.csv and FSDnoisy18k.audio_{train,test}/.</summary>
    public static void FsdNoisy18k(string root, string[] labels, int trainPerClass = 10)
    {
        var train = new List<string> { "fname,label,aso_id,manually_verified,noisy_small" };
        var test = new List<string> { "fname,label,aso_id" };
        for (int c = 0; c < labels.Length; c++)
        {
            for (int k = 0; k < trainPerClass; k++)
            {
                var name = $"{c * 100 + k}.wav";
                Wav(Path.Combine(root, "FSDnoisy18k.audio_train", name), c, 0.05, 44100);
                train.Add($"{name},{labels[c]},/m/0{c},0,1");
            }
            var testName = $"{9000 + c}.wav";
            Wav(Path.Combine(root, "FSDnoisy18k.audio_test", testName), c, 0.05, 44100);
            test.Add($"{testName},{labels[c]},/m/0{c}");
        }
        Directory.CreateDirectory(Path.Combine(root, "FSDnoisy18k.meta"));
        File.WriteAllLines(Path.Combine(root, "FSDnoisy18k.meta", "train.csv"), train);
        File.WriteAllLines(Path.Combine(root, "FSDnoisy18k.meta", "test.csv"), test);
    }

    static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }

    /// <summary>ESC-50: meta/esc50.csv (filename,fold,target,category,esc10,src_file,take) and audio/FOLD-SRC-TAKE-TARGET.wav, one clip per class per fold.</summary>
    public static void Esc50(string root, string[] categories, int folds = 5)
    {
        var lines = new List<string> { "filename,fold,target,category,esc10,src_file,take" };
        for (int f = 1; f <= folds; f++)
            for (int c = 0; c < categories.Length; c++)
            {
                var name = $"{f}-{1000 + c}-A-{c}.wav";
                // ESC-50 clips are 44.1 kHz mono.
                Wav(Path.Combine(root, "audio", name), c, 0.05, 44100);
                lines.Add($"{name},{f},{c},{categories[c]},False,{1000 + c},A");
            }
        Directory.CreateDirectory(Path.Combine(root, "meta"));
        File.WriteAllLines(Path.Combine(root, "meta", "esc50.csv"), lines);
    }

    /// <summary>
    /// GTZAN: genres_original/GENRE/GENRE.0000K.wav (22.05 kHz) for K &lt; <paramref name="perGenre"/>, and the three
    /// fault-filtered lists in <paramref name="listsDir"/>: clip 0 of each genre in train, 1 in valid, 2 in test; clip 3
    /// (when present) is in no list, as the filtered split leaves some clips out.
    /// </summary>
    public static void Gtzan(string root, string[] genres, string listsDir, int perGenre = 4)
    {
        var lists = new List<string>[] { [], [], [] };
        for (int g = 0; g < genres.Length; g++)
            for (int k = 0; k < perGenre; k++)
            {
                var rel = $"{genres[g]}/{genres[g]}.{k:D5}.wav";
                Wav(Path.Combine(root, "genres_original", rel), g, 0.05, 22050);
                if (k < 3) lists[k].Add(rel);
            }
        Directory.CreateDirectory(listsDir);
        File.WriteAllLines(Path.Combine(listsDir, "train_filtered.txt"), lists[0]);
        File.WriteAllLines(Path.Combine(listsDir, "valid_filtered.txt"), lists[1]);
        File.WriteAllLines(Path.Combine(listsDir, "test_filtered.txt"), lists[2]);
    }

    /// <summary>CREMA-D: AudioWAV/ACTOR_SENTENCE_EMOTION_LEVEL.wav for actors 1001… and each emotion, one sentence each.</summary>
    public static void CremaD(string root, int actors, string[] emotions)
    {
        for (int a = 0; a < actors; a++)
            for (int e = 0; e < emotions.Length; e++)
                Wav(Path.Combine(root, "AudioWAV", $"{1001 + a}_IEO_{emotions[e]}_{(e % 2 == 0 ? "HI" : "XX")}.wav"), e);
        File.WriteAllText(Path.Combine(root, "AudioWAV", "README.txt"), "not audio");
    }

    /// <summary>
    /// FSD50K: FSD50K.ground_truth/{dev,eval,vocabulary}.csv and FSD50K.{dev,eval}_audio/FNAME.wav. Dev clip i has the
    /// label set <paramref name="labelSets"/>[i mod n] and is in val when i mod 4 = 3; eval clips cycle the same sets.
    /// </summary>
    public static void Fsd50k(string root, string[][] labelSets, int dev = 8, int eval = 4)
    {
        var gt = Path.Combine(root, "FSD50K.ground_truth");
        Directory.CreateDirectory(gt);
        var classes = labelSets.SelectMany(l => l).Distinct().Order(StringComparer.Ordinal).ToList();
        File.WriteAllLines(Path.Combine(gt, "vocabulary.csv"), classes.Select((c, i) => $"{i},{c},/m/{i:D4}"));
        string Mids(string[] labels) => string.Join(",", labels.Select(l => $"/m/{classes.IndexOf(l):D4}"));
        var devLines = new List<string> { "fname,labels,mids,split" };
        for (int i = 0; i < dev; i++)
        {
            var set = labelSets[i % labelSets.Length];
            Wav(Path.Combine(root, "FSD50K.dev_audio", $"{100 + i}.wav"), i % 7, 0.05, 44100);
            devLines.Add($"{100 + i},\"{string.Join(",", set)}\",\"{Mids(set)}\",{(i % 4 == 3 ? "val" : "train")}");
        }
        var evalLines = new List<string> { "fname,labels,mids" };
        for (int i = 0; i < eval; i++)
        {
            var set = labelSets[i % labelSets.Length];
            Wav(Path.Combine(root, "FSD50K.eval_audio", $"{900 + i}.wav"), i % 7, 0.05, 44100);
            evalLines.Add($"{900 + i},\"{string.Join(",", set)}\",\"{Mids(set)}\"");
        }
        File.WriteAllLines(Path.Combine(gt, "dev.csv"), devLines);
        File.WriteAllLines(Path.Combine(gt, "eval.csv"), evalLines);
    }

    /// <summary>
    /// AudioSet: class_labels_indices.csv for <paramref name="classes"/> (mid → display name, some with commas), the two
    /// segment lists in the published format (3 header lines, <c>YTID, start, end, "mid1,mid2"</c>), and clips
    /// balanced_train_segments/YTID_START.wav and eval_segments/YTID_START.wav for the listed segments except those in
    /// <paramref name="missing"/> (a download never has them all). Segment k (per list) holds class k mod n and, for odd
    /// k, class (k + 1) mod n too.
    /// </summary>
    public static void AudioSet(string root, (string Mid, string Name)[] classes, int train, int eval, ISet<string> missing)
    {
        File.WriteAllLines(Path.Combine(root.Also(r => Directory.CreateDirectory(r)), "class_labels_indices.csv"),
            ["index,mid,display_name", .. classes.Select((c, i) => $"{i},{c.Mid},\"{c.Name}\"")]);
        void List(string file, string folder, string prefix, int count)
        {
            var lines = new List<string> { "# Segments csv created Sun Mar  5 10:54:31 2017", $"# num_ytids={count}, num_segs={count}, num_unique_labels={classes.Length}, num_positive_labels=0",
                "# YTID, start_seconds, end_seconds, positive_labels" };
            for (int k = 0; k < count; k++)
            {
                var ytid = $"{prefix}{k:D4}abcdef"[..11];
                var mids = k % 2 == 1 ? $"{classes[k % classes.Length].Mid},{classes[(k + 1) % classes.Length].Mid}" : classes[k % classes.Length].Mid;
                lines.Add($"{ytid}, {k * 10}.000, {k * 10 + 10}.000, \"{mids}\"");
                if (!missing.Contains(ytid)) Wav(Path.Combine(root, folder, $"{ytid}_{k * 10}.000.wav"), k % 7);
            }
            File.WriteAllLines(Path.Combine(root, file), lines);
        }
        List("balanced_train_segments.csv", "balanced_train_segments", "-t", train);
        List("eval_segments.csv", "eval_segments", "-e", eval);
    }
}
