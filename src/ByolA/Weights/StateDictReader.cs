using ByolA.Models;
using System.Collections;
using System.IO.Compression;
using Razorvine.Pickle;
using Razorvine.Pickle.Objects;
using static TorchSharp.torch;

namespace ByolA.Weights;

/// <summary>
/// Reads a <c>torch.save</c> zip archive (PyTorch ≥ 1.6; what <see cref="StateDictWriter"/> writes) into its pickled
/// dict, every tensor rebuilt as <c>torch.load</c> does — storage offset and strides honoured, so a transposed or
/// sliced tensor (a view saved by PyTorch) comes back with its logical values — and returned as a contiguous CPU tensor
/// of its own. The pickle is read by Razorvine.Pickle, which only builds dictionaries, lists and tensors: no Python
/// class is instantiated and nothing is executed.
/// <para>
/// Files that are not such archives fail with a <see cref="ByolAException"/> that says what the file is instead
/// (empty, a legacy pre-1.6 pickle, a TorchScript archive, a safetensors file, a zip without <c>data.pkl</c>,
/// unknown bytes). Razorvine's constructor registry is process-wide: this reader registers the
/// <c>torch._utils</c> rebuild functions and <c>collections.OrderedDict</c>, so TorchSharp.PyBridge's unpickler,
/// which registers the same names, must not be used in the same process.
/// </para>
/// </summary>
internal static class StateDictReader
{
    static StateDictReader()
    {
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor", new RebuildTensor());
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor_v2", new RebuildTensor());
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter", new RebuildParameter());
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter_with_state", new RebuildParameter());
        Unpickler.registerConstructor("collections", "OrderedDict", new OrderedDictConstructor());
    }

    /// <summary>
    /// The dict pickled in <paramref name="path"/>: string keys, values <see cref="Tensor"/> (on the CPU, contiguous),
    /// nested <see cref="Hashtable"/>s, numbers or strings. <paramref name="what"/> names the expected content in
    /// messages ("PyTorch weight file").
    /// </summary>
    public static Hashtable Read(string path, string what = "PyTorch weight file")
    {
        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ByolAException($"{path}: cannot read ({Data.IoErrors.Reason(e, path)})", e);
        }
        using (stream) return Read(stream, path, what);
    }

    /// <summary>As <see cref="Read(string, string)"/> for a seekable <paramref name="stream"/> (left open); <paramref name="path"/> names it in messages.</summary>
    public static Hashtable Read(Stream stream, string path, string what = "PyTorch weight file")
    {
        var head = new byte[16];
        long start = stream.Position;
        int got = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = start;
        var problem = NotAnArchive(head.AsSpan(0, got), stream.Length - start, what);
        if (problem != null) throw new ByolAException($"{path}: {problem}");
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            return ReadArchive(zip, path, what);
        }
        catch (InvalidDataException e)
        {
            throw new ByolAException($"{path}: a damaged or truncated zip archive ({e.Message}); re-download or re-save the {what}", e);
        }
        catch (EndOfStreamException e)
        {
            throw new ByolAException($"{path}: a truncated {what} (a part ends early); re-download or re-save it", e);
        }
    }

    /// <summary>What the file is when its first bytes show it is not a zip archive; null when it is one.</summary>
    static string? NotAnArchive(ReadOnlySpan<byte> head, long length, string what)
    {
        string hint = $"expected a {what} written by torch.save(model.state_dict(), path) (a zip archive) or by byola train";
        if (length == 0) return $"an empty file, not a {what}; {hint}";
        if (head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] is 3 or 5 && head[3] is 4 or 6) return null;
        if (head.Length >= 2 && head[0] == 0x80 && head[1] <= 5)
            return $"a pickle in PyTorch's legacy format (torch.save before PyTorch 1.6, or _use_new_zipfile_serialization=False), not a zip archive; load and re-save it with a recent PyTorch: torch.save(torch.load(f), f)";
        if (head.Length >= 9 && head[8] == (byte)'{' && head[..8].ToArray() is var n && BitConverter.ToUInt64(n) < (ulong)length)
            return $"a safetensors file, not a {what}; {hint}";
        if (head.Length >= 4 && head[0] == 0x1f && head[1] == 0x8b) return $"a gzip file, not a {what}; unpack it first";
        return $"not a {what} (neither a zip archive nor a pickle; it starts with bytes {Convert.ToHexString(head[..Math.Min(8, head.Length)]).ToLowerInvariant()}); {hint}";
    }

    static Hashtable ReadArchive(ZipArchive zip, string path, string what)
    {
        var pkl = zip.Entries.Where(e => e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)).ToList();
        if (pkl.Count == 0)
        {
            var names = zip.Entries.Take(5).Select(e => e.FullName).ToList();
            string listing = names.Count == 0 ? "it is empty" : $"it holds {string.Join(", ", names)}{(zip.Entries.Count > 5 ? ", …" : "")}";
            return zip.Entries.Any(e => e.FullName.EndsWith("constants.pkl", StringComparison.Ordinal))
                ? throw new ByolAException($"{path}: a TorchScript archive (torch.jit.save), not a {what}; save model.state_dict() with torch.save instead")
                : throw new ByolAException($"{path}: a zip archive without data.pkl ({listing}), so not a {what} written by torch.save; pass the .pth written by torch.save(model.state_dict(), path) or by byola train");
        }
        var entry = pkl.OrderBy(e => e.FullName.Length).First();
        var prefix = entry.FullName[..^"data.pkl".Length];
        if (zip.GetEntry(prefix + "constants.pkl") != null)
            throw new ByolAException($"{path}: a TorchScript archive (torch.jit.save), not a {what}; save model.state_dict() with torch.save instead");
        var byteOrder = zip.GetEntry(prefix + "byteorder");
        if (byteOrder != null)
        {
            using var r = new StreamReader(byteOrder.Open());
            var order = r.ReadToEnd().Trim();
            if (order != "little") throw new ByolAException($"{path}: tensors stored {order}-endian; re-save the file on a little-endian machine");
        }
        byte[] pickle;
        using (var s = entry.Open())
        using (var m = new MemoryStream())
        {
            s.CopyTo(m);
            pickle = m.ToArray();
        }
        using var unpickler = new TorchUnpickler(zip, prefix, path);
        object result;
        try
        {
            result = unpickler.loads(pickle);
        }
        catch (ByolAException) { throw; }
        catch (Exception e) when (e is PickleException or InvalidCastException or InvalidOperationException or NotSupportedException or ArgumentException or IndexOutOfRangeException)
        {
            throw new ByolAException($"{path}: data.pkl is not a pickled dict of tensors that can be read ({e.Message}); {what}s hold torch.save(model.state_dict(), path)", e);
        }
        finally
        {
            unpickler.DisposeStorages();
        }
        return result as Hashtable
            ?? throw new ByolAException($"{path}: holds a pickled {Describe(result)}, not a dict of tensors; save model.state_dict() with torch.save");
    }

    static string Describe(object? o) => o switch
    {
        null => "None",
        ClassDict c => c.ClassName,
        Tensor => "single tensor",
        _ => o.GetType().Name,
    };

    /// <summary>A storage read from <c>data/KEY</c>: a 1-D tensor of its elements.</summary>
    sealed record Storage(string Key, Tensor Elements);

    sealed class TorchUnpickler(ZipArchive zip, string prefix, string path) : Unpickler
    {
        readonly Dictionary<string, Storage> storages = new(StringComparer.Ordinal);

        protected override object persistentLoad(object pid)
        {
            // ('storage', storage_type, key, location, numel): torch.save's persistent id of a storage.
            if (pid is not object[] { Length: >= 5 } id || id[0] as string != "storage")
                throw new ByolAException($"{path}: data.pkl refers to an unknown kind of persistent object; not a torch.save state dict");
            var key = Convert.ToString(id[2], System.Globalization.CultureInfo.InvariantCulture)!;
            if (storages.TryGetValue(key, out var known)) return known;
            var typeName = id[1] is ClassDictConstructor c ? c.name : id[1]?.ToString() ?? "?";
            var dtype = StorageType(typeName);
            long numel = Convert.ToInt64(id[4], System.Globalization.CultureInfo.InvariantCulture);
            var entry = zip.GetEntry($"{prefix}data/{key}")
                ?? throw new ByolAException($"{path}: storage '{key}' listed in data.pkl is missing from the archive; the file is damaged — re-download or re-save it");
            var elements = empty(numel, dtype);
            long bytes = numel * elements.ElementSize;
            if (entry.Length < bytes)
                throw new ByolAException($"{path}: storage '{key}' holds {entry.Length} bytes, {bytes} expected; the file is damaged — re-download or re-save it");
            if (bytes > Array.MaxLength) throw new ByolAException($"{path}: storage '{key}' is larger than 2 GB, which this reader does not support");
            var buffer = new byte[bytes];
            using (var s = entry.Open()) s.ReadExactly(buffer);
            elements.bytes = buffer;
            var storage = new Storage(key, elements);
            storages[key] = storage;
            return storage;
        }

        public void DisposeStorages()
        {
            foreach (var s in storages.Values) s.Elements.Dispose();
            storages.Clear();
        }

        static ScalarType StorageType(string name) => name switch
        {
            "FloatStorage" => ScalarType.Float32,
            "DoubleStorage" => ScalarType.Float64,
            "HalfStorage" => ScalarType.Float16,
            "BFloat16Storage" => ScalarType.BFloat16,
            "LongStorage" => ScalarType.Int64,
            "IntStorage" => ScalarType.Int32,
            "ShortStorage" => ScalarType.Int16,
            "CharStorage" => ScalarType.Int8,
            "ByteStorage" => ScalarType.Byte,
            "BoolStorage" => ScalarType.Bool,
            "ComplexFloatStorage" => ScalarType.ComplexFloat32,
            "ComplexDoubleStorage" => ScalarType.ComplexFloat64,
            _ => throw new NotSupportedException($"storage type torch.{name} is not supported"),
        };
    }

    /// <summary>
    /// <c>_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])</c> and
    /// <c>_rebuild_tensor(storage, storage_offset, size, stride)</c>: the view torch.load makes, copied out of the
    /// storage into a contiguous tensor.
    /// </summary>
    sealed class RebuildTensor : IObjectConstructor
    {
        public object construct(object[] args)
        {
            if (args.Length < 4 || args[0] is not Storage storage)
                throw new NotSupportedException("a tensor without a storage in the archive");
            long offset = Convert.ToInt64(args[1], System.Globalization.CultureInfo.InvariantCulture);
            long[] size = Longs(args[2]), stride = Longs(args[3]);
            if (size.Length != stride.Length) throw new NotSupportedException($"tensor of size ({string.Join(", ", size)}) with {stride.Length} strides");
            long numel = storage.Elements.numel();
            long last = offset;
            bool emptyView = size.Any(s => s == 0);
            for (int i = 0; i < size.Length; i++)
            {
                if (size[i] < 0 || stride[i] < 0) throw new NotSupportedException($"negative size or stride in tensor of size ({string.Join(", ", size)})");
                if (size[i] > 0) last += (size[i] - 1) * stride[i];
            }
            if (offset < 0 || (!emptyView && last >= numel))
                throw new NotSupportedException($"a tensor of size ({string.Join(", ", size)}), stride ({string.Join(", ", stride)}) and offset {offset} reaches beyond its storage of {numel} elements");
            var result = empty(size, storage.Elements.dtype);
            if (!emptyView)
            {
                using var view = storage.Elements.as_strided(size, stride, offset);
                result.copy_(view);
            }
            return result;
        }

        static long[] Longs(object o) => o switch
        {
            object[] a => a.Select(v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            ArrayList a => a.Cast<object>().Select(v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            _ => throw new NotSupportedException($"tensor size or stride given as {o?.GetType().Name ?? "None"}"),
        };
    }

    /// <summary><c>_rebuild_parameter(data, requires_grad, backward_hooks[, state])</c>: a dict of parameters gives their tensors.</summary>
    sealed class RebuildParameter : IObjectConstructor
    {
        public object construct(object[] args) =>
            args.Length > 0 && args[0] is Tensor t ? t : throw new NotSupportedException("a parameter without a tensor");
    }

    /// <summary>A state dict is an <c>OrderedDict</c>: its items arrive through SETITEMS, its <c>_metadata</c> through BUILD.</summary>
    sealed class OrderedDictConstructor : IObjectConstructor
    {
        public object construct(object[] args) => new OrderedDict();
    }

    sealed class OrderedDict : Hashtable
    {
        // The BUILD state is the instance __dict__ ({'_metadata': ...}): per-module version numbers, not tensors.
        public void __setstate__(Hashtable state) { }
    }
}
