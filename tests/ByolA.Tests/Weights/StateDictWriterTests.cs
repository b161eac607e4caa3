using ByolA.Weights;
using System.Collections;
using System.IO.Compression;
using ByolA.Models;
using static TorchSharp.torch;

namespace ByolA.Tests.Weights;

/// <summary>The torch.save-format writer: what it stores, and that StateDictReader (as torch.load) gets it back.</summary>
public class StateDictWriterTests
{
    static Hashtable RoundTrip(IEnumerable<KeyValuePair<string, Tensor>> entries, out MemoryStream file)
    {
        file = new MemoryStream();
        StateDictWriter.Write(file, entries);
        file.Position = 0;
        var table = StateDictReader.Read(file, "memory");
        file.Position = 0;
        return table;
    }

    [Fact]
    public void Every_dtype_and_shape_comes_back_identical()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        var entries = new List<KeyValuePair<string, Tensor>>
        {
            new("w", randn([3, 4, 5], generator: g)),
            new("d", randn([7], dtype: ScalarType.Float64, generator: g)),
            new("step", tensor(42L)),
            new("ints", arange(0, 10, dtype: ScalarType.Int32)),
            new("bytes", tensor(new byte[] { 0, 1, 254, 255 })),
            new("flags", tensor(new[] { true, false, true })),
            new("empty", zeros(0, 3)),
        };
        var table = RoundTrip(entries, out var file);
        Assert.Equal(entries.Count, table.Count);
        foreach (var (key, expected) in entries)
        {
            var actual = Assert.IsAssignableFrom<Tensor>(table[key]);
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(expected.eq(actual).all().item<bool>(), $"{key} differs");
        }
        file.Dispose();
    }

    [Fact]
    public void Non_contiguous_tensors_are_written_in_logical_order()
    {
        using var scope = NewDisposeScope();
        var source = arange(12, dtype: ScalarType.Float32).reshape(3, 4);
        var transposed = source.t();
        Assert.False(transposed.is_contiguous());
        var table = RoundTrip([new("t", transposed), new("slice", source[.., 1..3])], out var file);
        Assert.Equal(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, ((Tensor)table["t"]!).data<float>().ToArray());
        Assert.Equal(new float[] { 1, 2, 5, 6, 9, 10 }, ((Tensor)table["slice"]!).data<float>().ToArray());
        file.Dispose();
    }

    [Fact]
    public void Entries_are_stored_uncompressed_in_torch_save_layout()
    {
        using var scope = NewDisposeScope();
        RoundTrip([new("a", ones(1000)), new("b", zeros(10))], out var file);
        using var zip = new ZipArchive(file, ZipArchiveMode.Read);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Equal(new[] { "archive/data/0", "archive/data/1", "archive/data.pkl", "archive/version" }, names);
        // ones(1000) deflates to a few bytes; stored, it keeps all 4000.
        Assert.All(zip.Entries, e => Assert.Equal(e.Length, e.CompressedLength));
        Assert.Equal(4000, zip.GetEntry("archive/data/0")!.Length);
        using var version = new StreamReader(zip.GetEntry("archive/version")!.Open());
        Assert.Equal("3", version.ReadToEnd().Trim());
    }

    [Fact]
    public void Duplicate_keys_are_refused()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => StateDictWriter.Write(new MemoryStream(), [new("x", ones(1)), new("x", zeros(1))]));
        Assert.Contains("'x'", e.Message);
    }
}
