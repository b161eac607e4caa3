using ByolA.Embedding;
using ByolA.Embedding.Formats;
using ByolA.Tests.Support;

namespace ByolA.Tests.Embedding.Formats;

/// <summary>The one map from an output path to a format, and what each format says it can hold.</summary>
public class EmbeddingFormatsTests
{
    [Theory]
    [InlineData("e.npy", ".npy")]
    [InlineData("dir/E.NPY", ".npy")]
    [InlineData("x.csv", ".csv")]
    [InlineData("p.Npz", ".npz")]
    [InlineData("x.txt", null)]
    [InlineData("npz", null)]
    public void A_path_selects_its_format_by_extension(string path, string? extension) =>
        Assert.Equal(extension, EmbeddingFormats.ForPath(path)?.Extension);

    [Fact]
    public void Only_the_archive_holds_timestamps_and_shard_marks_and_only_npy_writes_two_files()
    {
        Assert.Equal([".npz"], EmbeddingFormats.All.Where(f => f.Timestamps).Select(f => f.Extension));
        Assert.Equal([".npz"], EmbeddingFormats.All.Where(f => f.Shards).Select(f => f.Extension));
        Assert.Equal(["e.npy", "e.files.npy"], EmbeddingFormats.Npy.OutputPaths("e.npy"));
        Assert.Equal(["e.csv"], EmbeddingFormats.Csv.OutputPaths("e.csv"));
        var e = Assert.Throws<OptionException>(() => EmbeddingFormats.Require("e.txt", "OutPath"));
        Assert.Equal("OutPath", e.Option);
        Assert.Contains(".npy, .csv or .npz", e.Message);
    }

    [Fact]
    public void Every_format_writes_rows_that_read_back_with_their_files()
    {
        using var tmp = new TempDir();
        string[] files = ["a.wav", "b,\"c\".wav"];
        float[] values = [1, 2, 3, 4, 5, 6];
        foreach (var format in EmbeddingFormats.All)
        {
            var path = tmp.File("out" + format.Extension);
            var written = format.Write(path, files, values, [2, 3]);
            Assert.Equal(format.OutputPaths(path), written);
            Assert.All(written, f => Assert.True(File.Exists(f), f));
        }
        using (var npy = EmbedderOutput.ReadNpy(tmp.File("out.npy")))
            Assert.Equal(values, npy.data<float>().ToArray());
        Assert.Equal(files, EmbedderOutput.ReadFileList(tmp.File("out.files.npy")));
        Assert.Equal(3, File.ReadAllLines(tmp.File("out.csv")).Length);
        Assert.Throws<ArgumentException>(() => EmbeddingFormats.Npy.Write(tmp.File("x.npy"), files, values, [2, 3], new EmbeddingShard(1, 2)));
    }
}
