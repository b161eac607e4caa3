using ByolA.Probe;
using ByolA.Configuration;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Probe;

public class EmbeddingCacheTests
{
    [Fact]
    public void Stores_and_reloads_embeddings_and_stats_exactly()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("w.pth"), "weights v1");
        File.WriteAllText(dir.File("m.csv"), "file_name,label,split");
        var cache = EmbeddingCache.For(dir.Path, "task", "w", dir.File("w.pth"), dir.File("m.csv"), dir.Path, [], 1.0, ByolAConfig.V1, 42);
        Assert.Null(cache.TryLoad(3));
        var x = randn(3, 5);
        cache.Save(x, -5.5, 4.25);
        var (loaded, mean, std) = cache.TryLoad(3)!.Value;
        Assert.True(loaded.eq(x).all().item<bool>());
        Assert.Equal((-5.5, 4.25), (mean, std));
        Assert.Null(cache.TryLoad(4));
        Assert.StartsWith(Path.Combine(dir.Path, "embeddings", "task", "w-"), cache.Path);
    }

    [Fact]
    public void Key_changes_with_weight_content_unit_and_seed()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("w.pth"), "weights v1");
        File.WriteAllText(dir.File("m.csv"), "file_name,label,split");
        string Key(double unit = 1.0, int seed = 42, string compute = "cpu-fp32") =>
            EmbeddingCache.For(dir.Path, "task", "w", dir.File("w.pth"), dir.File("m.csv"), dir.Path, [], unit, ByolAConfig.V1, seed, compute).Path;
        var first = Key();
        Assert.Equal(first, Key());
        Assert.NotEqual(first, Key(unit: 0.95));
        Assert.NotEqual(first, Key(seed: 1));
        // CPU, CPU bf16, CUDA FP32, CUDA TF32 and CUDA bf16 embeddings are never swapped for each other; TF32 on the CPU is FP32.
        string Compute(string device, ByolA.Runtime.NumericPrecision p) => ByolA.Runtime.Precision.Describe(new TorchSharp.torch.Device(device), p);
        Assert.Equal(first, Key(compute: Compute("cpu", ByolA.Runtime.NumericPrecision.Tf32)));
        var cpuBf16 = Key(compute: Compute("cpu", ByolA.Runtime.NumericPrecision.Bf16));
        var cuda = Key(compute: Compute("cuda:1", ByolA.Runtime.NumericPrecision.Fp32));
        var tf32 = Key(compute: Compute("cuda:0", ByolA.Runtime.NumericPrecision.Tf32));
        var cudaBf16 = Key(compute: Compute("cuda:0", ByolA.Runtime.NumericPrecision.Bf16));
        Assert.Equal(5, new[] { first, cpuBf16, cuda, tf32, cudaBf16 }.Distinct().Count());
        File.WriteAllText(dir.File("w.pth"), "weights v2");
        Assert.NotEqual(first, Key());
    }
}
