using ByolA.Tests.Embedding;
using ByolA.Weights;
using System.IO.Compression;
using ByolA.Cli;
using ByolA.Models;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Weights;

/// <summary>
/// torch.save files as PyTorch writes them (views with strides and offsets over shared storages) load with their
/// logical values; files that are not such archives say what they are not, in one line.
/// </summary>
public class StateDictReaderTests
{
    static void WriteViews(string path, params StateDictWriter.View[] views)
    {
        using var stream = File.Create(path);
        StateDictWriter.WriteViews(stream, views);
    }

    [Fact]
    public void Transposed_and_sliced_tensors_saved_by_pytorch_load_with_their_values()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var model = new AudioNTT2020(nMels: 16, d: 32);
        model.eval();
        var views = new List<StateDictWriter.View>();
        foreach (var (key, value) in model.state_dict())
        {
            if (key == "fc.0.weight")
            {
                // PyTorch saves w = p.t() (a transposed view) with the storage of p: size [32, 128], stride [1, 32].
                var storage = value.t().contiguous();
                views.Add(new(key, storage, value.shape, [1, value.shape[0]], 0));
            }
            else if (key == "features.0.weight")
            {
                // A slice of a bigger tensor: 5 elements of something else before it, 3 after.
                var storage = cat([full(5, -7f), value.flatten(), full(3, 9f)]);
                views.Add(new(key, storage, value.shape, value.stride(), 5));
            }
            else views.Add(new(key, value, null, null, 0));
        }
        var path = tmp.File("views.pth");
        WriteViews(path, [.. views]);

        using var loaded = EncoderLoader.Load(path);
        using var x = randn(2, 1, 16, 24);
        using var noGrad = no_grad();
        Assert.True(model.forward(x).eq(loaded.Encoder.Pooled(x)).all().item<bool>());
    }

    [Fact]
    public void Tensors_sharing_one_storage_each_get_their_own_values()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        var a = arange(12, dtype: ScalarType.Float32);
        var path = tmp.File("shared.pth");
        WriteViews(path,
            new StateDictWriter.View("m", a, [3, 4], [4, 1], 0),
            new StateDictWriter.View("mt", a, [4, 3], [1, 4], 0),
            new StateDictWriter.View("row1", a, [4], [1], 4),
            new StateDictWriter.View("scalar", a, [], [], 7),
            new StateDictWriter.View("none", a, [0, 3], [3, 1], 0));
        var table = StateDictReader.Read(path);
        Tensor Get(string k) => Assert.IsAssignableFrom<Tensor>(table[k]);
        Assert.Equal(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, Get("mt").data<float>().ToArray());
        Assert.Equal(new long[] { 4, 3 }, Get("mt").shape);
        Assert.True(Get("mt").is_contiguous());
        Assert.Equal(new float[] { 4, 5, 6, 7 }, Get("row1").data<float>().ToArray());
        Assert.Equal(7f, Get("scalar").item<float>());
        Assert.Equal(new long[] { 0, 3 }, Get("none").shape);
        // Each is its own copy: changing one leaves the others as loaded.
        Get("m").add_(100);
        Assert.Equal(4f, Get("row1")[0].item<float>());
    }

    [Fact]
    public void A_view_beyond_its_storage_is_a_damaged_file()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        var path = tmp.File("beyond.pth");
        WriteViews(path, new StateDictWriter.View("w", arange(6, dtype: ScalarType.Float32), [3, 3], [3, 1], 0));
        var e = Assert.Throws<ByolAException>(() => StateDictReader.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("beyond its storage of 6 elements", e.Message);
    }

    public static TheoryData<string, byte[], string> NotWeightFiles()
    {
        byte[] Zip(params string[] names)
        {
            var m = new MemoryStream();
            using (var zip = new ZipArchive(m, ZipArchiveMode.Create, leaveOpen: true))
                foreach (var n in names)
                    using (var s = zip.CreateEntry(n).Open()) s.Write("x"u8);
            return m.ToArray();
        }
        var random = new byte[4096];
        new Random(3).NextBytes(random);
        random[0] = 0x3f;
        return new()
        {
            { "random.pth", random, "neither a zip archive nor a pickle" },
            { "empty.pth", [], "an empty file" },
            { "nodata.pth", Zip("weights/readme.txt", "weights/values.bin"), "a zip archive without data.pkl (it holds weights/readme.txt, weights/values.bin)" },
            { "emptyzip.pth", Zip(), "a zip archive without data.pkl (it is empty)" },
            { "script.pth", Zip("m/data.pkl", "m/constants.pkl", "m/code/m.py"), "a TorchScript archive (torch.jit.save)" },
            { "legacy.pth", [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e], "PyTorch's legacy format" },
            { "pickle-junk.pth", Zip("archive/data.pkl"), "data.pkl is not a pickled dict of tensors" },
        };
    }

    [Theory]
    [MemberData(nameof(NotWeightFiles))]
    public void Files_that_are_not_weights_say_what_they_are_not(string name, byte[] bytes, string expected)
    {
        using var tmp = new TempDir();
        var path = tmp.File(name);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ByolAException>(() => EncoderLoader.Load(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain("Sequence contains", e.Message);
        Assert.DoesNotContain("old PyTorch format", e.Message);
    }

    [Fact]
    public void Embed_with_random_bytes_as_weights_prints_one_line_and_exits_1()
    {
        using var tmp = new TempDir();
        var weights = tmp.File("w.pth");
        File.WriteAllBytes(weights, [.. Enumerable.Range(0, 300).Select(i => (byte)(i * 37 + 11))]);
        var clip = EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.3)[0];
        var (code, _, err) = CliRunner.Run("embed", weights, clip, "--out", tmp.File("e.npy"), "--stats", "-6,4", "--device", "cpu");
        Assert.Equal(ExitCodes.Failure, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("not a PyTorch weight file", line);
        Assert.Contains("w.pth", line);
        Assert.False(File.Exists(tmp.File("e.npy")));
    }

    [Fact]
    public void A_checkpoint_that_is_not_a_zip_is_named_as_a_training_checkpoint()
    {
        using var tmp = new TempDir();
        var path = tmp.File("checkpoint.pth");
        File.WriteAllText(path, "not a checkpoint at all");
        var e = Assert.Throws<ByolAException>(() => ByolA.Learning.TrainingCheckpoint.Load(path));
        Assert.StartsWith(path + ": not a training checkpoint", e.Message);
    }
}
