using ByolA.Embedding;
using ByolA.Embedding.Formats;
using System.IO.Compression;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Embedding.Formats;

public class EmbeddingArchiveTests
{
    static readonly string[] Files = ["a/one.wav", "b/twö 😀.wav", "c,3.wav", "d.wav", "e.wav"];

    /// <summary>Per-file frame embeddings (Tᵢ, 4) with Tᵢ = i + 1, and their times.</summary>
    static (Tensor Rows, float[] Times) FileRows(int i)
    {
        var rows = arange((i + 1) * 4, dtype: float32).reshape(i + 1, 4) + 100 * i;
        return (rows, Enumerable.Range(0, i + 1).Select(j => 35f + 80 * j).ToArray());
    }

    static void WriteTimestamped(string path, IEnumerable<int> indices, EmbeddingShard? shard)
    {
        using var writer = new EmbeddingArchiveWriter(path, timestamps: true);
        foreach (var i in indices)
        {
            var (rows, times) = FileRows(i);
            writer.Add(Files[i], rows, times);
        }
        writer.Complete([4], shard);
    }

    static T[] Read<T>(ZipArchive zip, string name, out long[] shape) where T : unmanaged
    {
        using var s = zip.GetEntry(name + ".npy")!.Open();
        var header = NpyFormat.ReadHeader(s, name);
        shape = header.Shape;
        return NpyFormat.ReadValues<T>(s, header.Count);
    }

    [Fact]
    public void Timestamped_archive_holds_embeddings_timestamps_offsets_and_files()
    {
        using var tmp = new TempDir();
        var path = tmp.File("out/emb.npz");
        WriteTimestamped(path, [0, 1, 2], shard: null);
        using var zip = ZipFile.OpenRead(path);
        Assert.Equal(["embeddings.npy", "timestamps.npy", "offsets.npy", "files.npy"], zip.Entries.Select(e => e.FullName));
        Assert.All(zip.Entries, e => Assert.Equal(e.Length, e.CompressedLength));   // stored, as numpy.savez
        var emb = Read<float>(zip, "embeddings", out var shape);
        Assert.Equal(new long[] { 6, 4 }, shape);
        Assert.Equal(100f, emb[4]);                                               // row 1 = file 1's first frame
        Assert.Equal([0L, 1, 3, 6], Read<long>(zip, "offsets", out _));
        Assert.Equal([35f, 35f, 115f, 35f, 115f, 195f], Read<float>(zip, "timestamps", out _));
        using var s = zip.GetEntry("files.npy")!.Open();
        var header = NpyFormat.ReadHeader(s, "files");
        Assert.Equal("<U11", header.Descr);                                       // "b/twö 😀.wav" is 11 code points
        Assert.Equal(Files[..3], NpyFormat.ReadStrings(s, header, "files"));
        Assert.DoesNotContain(Directory.GetFiles(tmp.File("out")), f => f != path); // no temporary rows left
    }

    [Fact]
    public void Shards_cover_the_inputs_in_order_with_near_equal_runs()
    {
        var items = Enumerable.Range(0, 10).ToArray();
        var parts = Enumerable.Range(1, 4).Select(k => new EmbeddingShard(k, 4).Select(items)).ToList();
        Assert.Equal(items, parts.SelectMany(p => p));
        Assert.All(parts, p => Assert.InRange(p.Count, 2, 3));
        Assert.Empty(new EmbeddingShard(1, 5).Select(new[] { 1, 2 }));
        // Cut on batch boundaries: 10 items in batches of 3 are 4 batches ([0..3), [3..6), [6..9), [9]); 3 shards take 1, 1, 2 of them.
        var batched = Enumerable.Range(1, 3).Select(k => new EmbeddingShard(k, 3).Select(items, unit: 3)).ToList();
        Assert.Equal([[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]], batched);
        Assert.Equal(items, new EmbeddingShard(1, 1).Select(items, unit: 64));
        Assert.Equal(new EmbeddingShard(3, 8), EmbeddingShard.Parse("3/8"));
        Assert.Throws<ByolAException>(() => EmbeddingShard.Parse("0/8"));
        Assert.Throws<ByolAException>(() => EmbeddingShard.Parse("9/8"));
        Assert.Throws<ByolAException>(() => EmbeddingShard.Parse("3"));
    }

    [Fact]
    public void Shard_auto_reads_slurm_arrays_from_their_first_index_and_indexed_jobs_with_a_count()
    {
        static EmbeddingShard From(params (string, string)[] env) =>
            EmbeddingShard.FromEnvironment(name => env.FirstOrDefault(e => e.Item1 == name).Item2);
        Assert.Equal(new EmbeddingShard(1, 10), From(("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "10"), ("SLURM_ARRAY_TASK_MIN", "0")));
        Assert.Equal(new EmbeddingShard(10, 10), From(("SLURM_ARRAY_TASK_ID", "10"), ("SLURM_ARRAY_TASK_COUNT", "10"), ("SLURM_ARRAY_TASK_MIN", "1")));
        Assert.Equal(new EmbeddingShard(3, 4), From(("JOB_COMPLETION_INDEX", "2"), (EmbeddingShard.CountVariable, "4")));
        Assert.Contains(EmbeddingShard.CountVariable, Assert.Throws<ByolAException>(() => From(("JOB_COMPLETION_INDEX", "2"))).Message);
        Assert.Throws<ByolAException>(() => From(("SLURM_ARRAY_TASK_ID", "12"), ("SLURM_ARRAY_TASK_COUNT", "10"), ("SLURM_ARRAY_TASK_MIN", "0")));
        Assert.Throws<ByolAException>(() => From());
        // Out of range: named by the variables, not as a "shard 6/2".
        var e = Assert.Throws<ByolAException>(() => From(("JOB_COMPLETION_INDEX", "5"), (EmbeddingShard.CountVariable, "2")));
        Assert.Contains("JOB_COMPLETION_INDEX 5 is outside 0-1", e.Message);
        Assert.Contains(EmbeddingShard.CountVariable + " 2", e.Message);
        Assert.Contains("SLURM_ARRAY_TASK_MIN 3", Assert.Throws<ByolAException>(() => From(("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "3"))).Message);
    }

    [Fact]
    public void Merged_timestamped_parts_equal_the_unsharded_archive_byte_for_byte()
    {
        using var tmp = new TempDir();
        WriteTimestamped(tmp.File("all.npz"), [0, 1, 2, 3, 4], shard: null);
        var parts = new List<string>();
        for (int k = 3; k >= 1; k--)                                   // given out of order on purpose
        {
            var shard = new EmbeddingShard(k, 3);
            parts.Add(tmp.File($"part{k}.npz"));
            WriteTimestamped(parts[^1], shard.Select(Enumerable.Range(0, 5).ToArray()), shard);
        }
        var (written, shape) = EmbeddingMerger.Merge(parts, tmp.File("merged.npz"));
        Assert.Equal(new long[] { 15, 4 }, shape);
        Assert.Equal(File.ReadAllBytes(tmp.File("all.npz")), File.ReadAllBytes(written[0]));
    }

    [Fact]
    public void Merged_per_file_parts_equal_the_unsharded_npy_and_npz()
    {
        using var tmp = new TempDir();
        var all = Enumerable.Range(0, 5).Select(i => FileRows(2).Rows[0] + i).ToList();   // (4) per file
        using (var w = new EmbeddingArchiveWriter(tmp.File("all.npz"), timestamps: false))
        {
            for (int i = 0; i < 5; i++) w.Add(Files[i], all[i]);
            w.Complete([4]);
        }
        using (var stacked = stack(all)) EmbedderOutput.Write(tmp.File("all.npy"), Files, stacked.data<float>().ToArray(), stacked.shape);
        var parts = new List<string>();
        foreach (var k in new[] { 1, 2 })
        {
            var shard = new EmbeddingShard(k, 2);
            parts.Add(tmp.File($"p{k}.npz"));
            using var w = new EmbeddingArchiveWriter(parts[^1], timestamps: false);
            foreach (var i in shard.Select(Enumerable.Range(0, 5).ToArray())) w.Add(Files[i], all[i]);
            w.Complete([4], shard);
        }
        EmbeddingMerger.Merge(parts, tmp.File("m.npz"));
        Assert.Equal(File.ReadAllBytes(tmp.File("all.npz")), File.ReadAllBytes(tmp.File("m.npz")));
        var written = EmbeddingMerger.Merge(parts, tmp.File("m.npy")).Written;
        Assert.Equal(File.ReadAllBytes(tmp.File("all.npy")), File.ReadAllBytes(tmp.File("m.npy")));
        Assert.Equal(2, written.Count);                                              // the array and its file list
    }

    [Fact]
    public void Merge_refuses_missing_or_repeated_shards_and_unsharded_files()
    {
        using var tmp = new TempDir();
        var s1 = new EmbeddingShard(1, 2);
        WriteTimestamped(tmp.File("p1.npz"), [0], s1);
        WriteTimestamped(tmp.File("p1b.npz"), [1], s1);
        WriteTimestamped(tmp.File("plain.npz"), [0], null);
        Assert.Contains("2/2 is missing", Assert.Throws<ByolAException>(() => EmbeddingMerger.Merge([tmp.File("p1.npz")], tmp.File("m.npz"))).Message);
        Assert.Contains("given twice", Assert.Throws<ByolAException>(() => EmbeddingMerger.Merge([tmp.File("p1.npz"), tmp.File("p1b.npz")], tmp.File("m.npz"))).Message);
        Assert.Contains("a sharded embed run", Assert.Throws<ByolAException>(() => EmbeddingMerger.Merge([tmp.File("plain.npz")], tmp.File("m.npz"))).Message);
        Assert.False(File.Exists(tmp.File("m.npz")));
    }

    [Fact]
    public void Merge_refuses_an_output_that_is_one_of_its_parts_by_real_path()
    {
        using var tmp = new TempDir();
        var parts = Enumerable.Range(1, 3).Select(k => tmp.File($"p{k}.npz")).ToArray();
        for (int k = 1; k <= 3; k++) WriteTimestamped(parts[k - 1], [k - 1], new EmbeddingShard(k, 3));
        var before = parts.Select(File.ReadAllBytes).ToArray();
        File.CreateSymbolicLink(tmp.File("link.npz"), parts[2]);
        Directory.CreateDirectory(tmp.File("sub"));
        foreach (var output in new[] { parts[0], tmp.File("./p2.npz"), tmp.File("sub/../p2.npz"), tmp.File("link.npz") })
        {
            var (code, _, err) = CliRunner.Run(["merge-embeddings", .. parts, "-o", output]);
            Assert.Equal(2, code);
            Assert.Contains("would replace an input", err);
            Assert.Contains("--out", err);
        }
        for (int k = 0; k < 3; k++) Assert.Equal(before[k], File.ReadAllBytes(parts[k]));
        // An .npy output whose file list would land on a part is refused too.
        File.Copy(parts[0], tmp.File("m.files.npy"));
        Assert.Contains("would replace an input", Assert.Throws<OptionException>(() => EmbeddingMerger.Merge([.. parts[1..], tmp.File("m.files.npy")], tmp.File("m.npy"))).Message);
    }

    [Fact]
    public void Merge_refuses_a_part_holding_a_nan_or_a_folder_and_writes_nothing()
    {
        using var tmp = new TempDir();
        WriteTimestamped(tmp.File("p1.npz"), [0, 1], new EmbeddingShard(1, 2));
        using (var writer = new EmbeddingArchiveWriter(tmp.File("p2.npz"), timestamps: true))
        {
            var (rows, times) = FileRows(2);
            rows[1, 2] = float.NaN;
            writer.Add(Files[2], rows, times);
            writer.Complete([4], new EmbeddingShard(2, 2));
        }
        var e = Assert.Throws<ByolAException>(() => EmbeddingMerger.Merge([tmp.File("p1.npz"), tmp.File("p2.npz")], tmp.File("m.npz")));
        Assert.Contains("p2.npz: embedding value 6 is NaN", e.Message);
        Assert.Equal(["p1.npz", "p2.npz"], Directory.GetFiles(tmp.Path).Select(Path.GetFileName).Order());
        Directory.CreateDirectory(tmp.File("dir.npz"));
        Assert.Contains("is a folder", Assert.Throws<ByolAException>(() => EmbeddingMerger.Merge([tmp.File("p1.npz"), tmp.File("dir.npz")], tmp.File("m.npz"))).Message);
    }
}
