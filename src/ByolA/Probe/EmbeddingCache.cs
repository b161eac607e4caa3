using ByolA.Data;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ByolA.Audio;
using ByolA.Configuration;
using static TorchSharp.torch;

namespace ByolA.Probe;

/// <summary>
/// Stores a task's embeddings (N, d) and the normalisation stats they were made with, so repeated runs and reruns
/// skip the encoder. The key covers everything the embeddings depend on: the weight file's content (so retrained
/// weights under the same name miss), the metadata's content, the audio folder, the size and modification time of
/// every listed audio file (so audio replaced under the same names misses), unit_sec, the front-end config and the seed
/// (random crops). Files live at WORK/embeddings/TASK/MODEL-KEY.emb and are written atomically.
/// </summary>
internal sealed class EmbeddingCache(string folder, string key)
{
    const string Magic = "BYOLA-EMB2";

    /// <summary>The cache file for this key.</summary>
    public string Path { get; } = System.IO.Path.Combine(folder, key + ".emb");

    /// <summary>
    /// The cache for one evaluation (hashes the weight and metadata files). <paramref name="compute"/> is the device
    /// kind and precision (<see cref="Runtime.Precision.Describe"/>): CPU, CUDA FP32 and CUDA TF32 embeddings differ
    /// in the last bits (TF32 by about 1e-3), so each has its own entry.
    /// </summary>
    public static EmbeddingCache For(string workRoot, string task, string modelName, string weights, string metadata,
        string audioDir, IReadOnlyList<string> audioFiles, double unitSec, ByolAConfig config, int seed, string compute = "cpu-fp32")
    {
        var text = string.Join("\n",
            "weights=" + HashFile(weights),
            "metadata=" + HashFile(metadata),
            "audio=" + System.IO.Path.GetFullPath(audioDir),
            "audio_files=" + FingerprintFiles(audioFiles),
            "unit_sec=" + unitSec.ToString("R", CultureInfo.InvariantCulture),
            FormattableString.Invariant($"frontend={config.SampleRate},{config.NFft},{config.WinLength},{config.HopLength},{config.NMels},{config.FMin},{config.FMax}"),
            "seed=" + seed.ToString(CultureInfo.InvariantCulture),
            "compute=" + compute);
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
        var safeModel = string.Concat(modelName.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        return new EmbeddingCache(System.IO.Path.Combine(workRoot, "embeddings", task), $"{safeModel}-{key}");
    }

    /// <summary>The stored embeddings (N, d) on the CPU and stats, or null when absent or unreadable.</summary>
    public (Tensor Embeddings, double Mean, double Std)? TryLoad(int expectedRows)
    {
        if (!File.Exists(Path)) return null;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(Path));
            if (reader.ReadString() != Magic) return null;
            double mean = reader.ReadDouble(), std = reader.ReadDouble();
            int n = reader.ReadInt32(), d = reader.ReadInt32();
            if (n != expectedRows || d <= 0) return null;
            var data = new float[(long)n * d];
            var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan());
            if (reader.BaseStream.Length - reader.BaseStream.Position != bytes.Length) return null;
            reader.BaseStream.ReadExactly(bytes);
            return (tensor(data, [n, d]), mean, std);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Stores <paramref name="embeddings"/> (N, d) with the stats (temp file, then rename).</summary>
    public void Save(Tensor embeddings, double mean, double std)
    {
        var cpu = embeddings.to(ScalarType.Float32).cpu().contiguous();
        var data = cpu.data<float>().ToArray();
        AtomicFile.Write(Path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(mean);
            writer.Write(std);
            writer.Write(checked((int)cpu.shape[0]));
            writer.Write(checked((int)cpu.shape[1]));
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
        });
        if (!ReferenceEquals(cpu, embeddings)) cpu.Dispose();
    }

    /// <summary>
    /// Size and last-write time (100 ns ticks, UTC) of every file, in order. Hashing every file's content would read
    /// the whole dataset on each cache hit; a rewritten file gets a new modification time.
    /// </summary>
    static string FingerprintFiles(IReadOnlyList<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            long size = info.Exists ? info.Length : -1, ticks = info.Exists ? info.LastWriteTimeUtc.Ticks : 0;
            hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{info.FullName}\0{size}\0{ticks}\n")));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
