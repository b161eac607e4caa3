using ByolA.Models;
using System.IO.Compression;
using System.Text;
using Razorvine.Pickle;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Weights;

/// <summary>
/// Writes a flat name → tensor dict in <c>torch.save</c>'s zip format (what <c>torch.load</c> and
/// TorchSharp.PyBridge read): <c>archive/data.pkl</c> pickles the dict with each tensor as
/// <c>torch._utils._rebuild_tensor_v2</c> over a persistent storage, whose bytes are the entry
/// <c>archive/data/&lt;n&gt;</c>; plus <c>archive/version</c>.
/// <para>
/// Entries are stored, not deflated, as torch.save does. PyBridge's own writer deflates every entry, which took
/// 6 s of a 2-core machine for one 240 MB training checkpoint — a fifth of an epoch in our benchmark.
/// </para>
/// </summary>
internal static class StateDictWriter
{
    const string Archive = "archive";

    static StateDictWriter()
    {
        Pickler.registerCustomDeconstructor(typeof(TensorRecord), new TensorRecordDeconstructor());
        Pickler.registerCustomDeconstructor(typeof(NoHooks), new NoHooksDeconstructor());
        Pickler.registerCustomPickler(typeof(StorageType), new StorageTypePickler());
    }

    /// <summary>
    /// Writes <paramref name="stateDict"/> (any devices, any strides; keys kept in the given order) to
    /// <paramref name="stream"/>, which stays open. Tensors are copied to contiguous CPU memory one at a time.
    /// </summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> stateDict) =>
        WriteViews(stream, stateDict.Select(kv => new View(kv.Key, kv.Value, null, null, 0)));

    /// <summary>
    /// As <see cref="Write(Stream, IEnumerable{KeyValuePair{string, Tensor}})"/>, plus small text records of ours under
    /// <c>archive/byola/NAME</c> (e.g. the sample rate a model was trained at). torch.load reads only the records that
    /// data.pkl names and its version, so the file stays a plain PyTorch state dict.
    /// </summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> stateDict, IReadOnlyDictionary<string, string> records) =>
        WriteViews(stream, stateDict.Select(kv => new View(kv.Key, kv.Value, null, null, 0)), records);

    /// <summary>The text record <paramref name="name"/> written by <see cref="Write(Stream, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string})"/>, or null.</summary>
    public static string? ReadRecord(string path, string name)
    {
        try
        {
            using var archive = ZipFile.OpenRead(path);
            var entry = archive.Entries.FirstOrDefault(e => e.FullName.EndsWith("/" + RecordFolder + "/" + name, StringComparison.Ordinal));
            if (entry == null || entry.Length > 4096) return null;
            using var reader = new StreamReader(entry.Open());
            return reader.ReadToEnd().Trim();
        }
        catch (InvalidDataException) { return null; }   // not a zip: StateDictReader says what it is
    }

    const string RecordFolder = "byola";

    /// <summary>
    /// One entry as PyTorch may save it: <see cref="Size"/>, <see cref="Stride"/> and storage <see cref="Offset"/> over
    /// the elements of <see cref="Storage"/> (a transposed or sliced tensor is saved with its whole storage). Null size
    /// and stride: the tensor itself, contiguous.
    /// </summary>
    internal sealed record View(string Key, Tensor Storage, long[]? Size, long[]? Stride, long Offset);

    /// <summary>
    /// Writes entries as views of their storages; entries over the same <see cref="View.Storage"/> object share one
    /// storage in the archive, as tensors sharing memory do in a torch.save file. Tests use it to build the files
    /// PyTorch writes for non-contiguous tensors.
    /// </summary>
    internal static void WriteViews(Stream stream, IEnumerable<View> views, IReadOnlyDictionary<string, string>? records = null)
    {
        using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        var dict = new Dictionary<string, object>(StringComparer.Ordinal);
        var storages = new Dictionary<Tensor, (string Name, long Numel)>(ReferenceEqualityComparer.Instance);
        int index = 0;
        foreach (var (key, value, size, stride, offset) in views)
        {
            using var scope = NewDisposeScope();
            var t = value.detach().cpu().contiguous();
            if (!storages.TryGetValue(value, out var storage))
            {
                storage = ((index++).ToString(System.Globalization.CultureInfo.InvariantCulture), t.numel());
                using (var entry = CreateEntry(archive, $"{Archive}/data/{storage.Name}"))
                    entry.Write(t.bytes);
                storages[value] = storage;
            }
            var record = new TensorRecord(storage.Name, StorageName(t.dtype, key), size ?? t.shape, stride ?? t.stride(), storage.Numel, offset);
            if (!dict.TryAdd(key, record))
                throw new ArgumentException($"duplicate state-dict key '{key}'", nameof(views));
        }
        byte[] pkl;
        using (var pickler = new StatePickler()) pkl = pickler.dumps(dict);
        using (var entry = CreateEntry(archive, $"{Archive}/data.pkl"))
            entry.Write(pkl);
        using (var entry = CreateEntry(archive, $"{Archive}/version"))
            entry.Write("3\n"u8);
        foreach (var (name, text) in records ?? new Dictionary<string, string>())
            using (var entry = CreateEntry(archive, $"{Archive}/{RecordFolder}/{name}"))
                entry.Write(System.Text.Encoding.UTF8.GetBytes(text + "\n"));
    }

    /// <summary>
    /// An uncompressed entry stamped with a fixed date instead of the clock, so the same tensors always give the
    /// same bytes (reproducible weight files; torch.load ignores the stamp).
    /// </summary>
    static Stream CreateEntry(ZipArchive archive, string name)
    {
        var entry = archive.CreateEntry(name, CompressionLevel.NoCompression);
        entry.LastWriteTime = FixedStamp;
        return entry.Open();
    }

    static readonly DateTimeOffset FixedStamp = new(1980, 1, 2, 0, 0, 0, TimeSpan.Zero);   // a day after the DOS epoch: valid in every time zone

    static string StorageName(ScalarType type, string key) => type switch
    {
        ScalarType.Float32 => "FloatStorage",
        ScalarType.Float64 => "DoubleStorage",
        ScalarType.Float16 => "HalfStorage",
        ScalarType.BFloat16 => "BFloat16Storage",
        ScalarType.Int64 => "LongStorage",
        ScalarType.Int32 => "IntStorage",
        ScalarType.Int16 => "ShortStorage",
        ScalarType.Int8 => "CharStorage",
        ScalarType.Byte => "ByteStorage",
        ScalarType.Bool => "BoolStorage",
        _ => throw new NotSupportedException($"state-dict entry '{key}': cannot save tensors of type {type}"),
    };

    /// <summary>What data.pkl holds for one tensor: its storage entry and size, and its layout over that storage.</summary>
    sealed record TensorRecord(string Entry, string Storage, long[] Shape, long[] Stride, long Numel, long Offset);

    /// <summary>The persistent storage reference: ('storage', torch.XStorage, entry, 'cpu', numel).</summary>
    sealed record StorageRef(TensorRecord Tensor);

    sealed record StorageType(string Name);

    /// <summary>The empty OrderedDict of backward hooks that _rebuild_tensor_v2 takes last.</summary>
    sealed class NoHooks
    {
        public static readonly NoHooks Instance = new();
    }

    sealed class StatePickler : Pickler
    {
        protected override bool persistentId(object pid, out object? newpid)
        {
            if (pid is StorageRef s)
            {
                newpid = new object[] { "storage", new StorageType(s.Tensor.Storage), s.Tensor.Entry, "cpu", s.Tensor.Numel };
                return true;
            }
            newpid = null;
            return false;
        }
    }

    sealed class TensorRecordDeconstructor : IObjectDeconstructor
    {
        public string get_module() => "torch._utils";
        public string get_name() => "_rebuild_tensor_v2";

        // Arrays of object pickle as tuples, which is what torch expects for size and stride.
        public object[] deconstruct(object obj)
        {
            var t = (TensorRecord)obj;
            return [new StorageRef(t), t.Offset, t.Shape.Cast<object>().ToArray(), t.Stride.Cast<object>().ToArray(), false, NoHooks.Instance];
        }
    }

    sealed class NoHooksDeconstructor : IObjectDeconstructor
    {
        public string get_module() => "collections";
        public string get_name() => "OrderedDict";
        public object[] deconstruct(object obj) => [];
    }

    sealed class StorageTypePickler : IObjectPickler
    {
        public void pickle(object o, Stream outs, Pickler currentPickler)
        {
            outs.WriteByte(Opcodes.GLOBAL);
            outs.Write(Encoding.ASCII.GetBytes($"torch\n{((StorageType)o).Name}\n"));
        }
    }
}
