using System.Diagnostics;
using System.Security.Cryptography;
using ByolA.Tests.Support;

namespace ByolA.Tests.Demo;

/// <summary>
/// The demo dataset is a function of its seed alone. Generating it in separate processes catches any input that
/// .NET randomises per process (string hash codes, HashCode.Combine), which two generations in one process would not.
/// </summary>
public class DemoDatasetTests
{
    [Fact]
    public void Two_processes_with_one_seed_write_identical_files_and_another_seed_writes_different_audio()
    {
        using var tmp = new TempDir();
        var a = Generate(tmp.File("a"), seed: 11);
        var b = Generate(tmp.File("b"), seed: 11);
        var c = Generate(tmp.File("c"), seed: 12);

        Assert.Equal(Enum.GetValues<ByolA.Tasks.Synthetic.SoundKind>().Length * 3 + 2 + 1, a.Count);   // kinds × 3 labelled clips, 2 unlabelled, metadata.csv
        Assert.Equal(a, b);
        Assert.Equal(a.Keys, c.Keys);
        Assert.Equal(a["metadata.csv"], c["metadata.csv"]);
        Assert.All(a.Keys.Where(k => k.EndsWith(".wav")), k => Assert.NotEqual(a[k], c[k]));
    }

    [Fact]
    public void A_background_mixes_only_the_labelled_clips_and_is_one_function_of_the_seed()
    {
        using var tmp = new TempDir();
        var clean = Generate(tmp.File("clean"), seed: 11);
        var mixed = Generate(tmp.File("mixed"), seed: 11, "--background-db", "-9,-3");
        var again = Generate(tmp.File("again"), seed: 11, "--background-db", "-9,-3");

        Assert.Equal(mixed, again);
        Assert.All(clean.Keys.Where(k => k.StartsWith("unlabelled/")), k => Assert.Equal(clean[k], mixed[k]));
        Assert.All(clean.Keys.Where(k => k.StartsWith("audio/")), k => Assert.NotEqual(clean[k], mixed[k]));
    }

    [Fact]
    public void A_mixed_clip_holds_the_background_at_the_asked_level()
    {
        var sound = Enumerable.Range(0, 16000).Select(i => (float)(0.1 * Math.Sin(i * 0.05))).ToArray();
        var background = Enumerable.Range(0, 16000).Select(i => (float)(0.5 * Math.Sin(i * 0.31))).ToArray();
        var mixed = ByolA.Tasks.Synthetic.SyntheticDataset.Mix(sound, background, -6);
        var added = mixed.Zip(sound, (m, s) => (double)m - s).ToArray();
        double Rms(IEnumerable<double> x) => Math.Sqrt(x.Average(v => v * v));
        Assert.Equal(-6.0, 20 * Math.Log10(Rms(added) / Rms(sound.Select(v => (double)v))), 2);
    }

    /// <summary>Runs <c>byola demo --data-only</c> in a child process; returns relative path → SHA-256 of every file.</summary>
    static Dictionary<string, string> Generate(string outDir, int seed, params string[] extra)
    {
        var cli = typeof(ByolA.Cli.CliApp).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[cli, "demo", "--data-only", "--out", outDir, "--seed", seed.ToString(), "--train-per-class", "1",
                     "--valid-per-class", "1", "--test-per-class", "1", "--unlabelled", "2", "--set", "bs=2", ..extra])
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, stderr.Result);
        var data = Path.Combine(outDir, "data");
        return Directory.GetFiles(data, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(data, f).Replace('\\', '/'),
            f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
    }
}
