using ByolA.Embedding;
using ByolA.Data;
using ByolA.Audio;
using ByolA.Tests.Embedding;
using ByolA.Configuration;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Audio;

public class NormStatsTests
{
    [Fact]
    public void Stats_are_the_population_mean_and_std_of_the_unit_clipped_log_mel()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        var config = ByolAConfig.V1;
        // All shorter than unit_sec, so no random crop is involved: padding is deterministic.
        var files = EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.3, 0.6, 0.95, 0.8);
        var stats = NormStatsCalculator.Compute(files, config, batchSize: 3);

        using var logMel = new LogMelSpectrogram(config.FrontEnd);
        var all = cat(files.Select(f => logMel.forward(tensor(UnitClip.Fit(EmbedderTestAudio.ReadBack(f), config.UnitSamples, null)))).ToArray(), 0).to(float64);
        double mean = all.mean().item<double>();
        double std = all.std(unbiased: false).item<double>();
        Assert.Equal(mean, stats.Mean, 1e-5);
        Assert.Equal(std, stats.Std, 1e-5);
    }

    [Fact]
    public void Long_clips_use_a_seeded_random_crop()
    {
        using var tmp = new TempDir();
        var files = EmbedderTestAudio.WriteClips(tmp.File("audio"), 3.0, 2.5);
        var a = NormStatsCalculator.Compute(files, ByolAConfig.V1, seed: 1);
        var b = NormStatsCalculator.Compute(files, ByolAConfig.V1, seed: 1);
        var c = NormStatsCalculator.Compute(files, ByolAConfig.V1, seed: 2);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Sampling_is_seeded_and_capped()
    {
        var files = Enumerable.Range(0, 50).Select(i => $"f{i:00}.wav").ToArray();
        var a = NormStatsCalculator.Sample(files, 10, seed: 42);
        Assert.Equal(10, a.Count);
        Assert.Equal(a, NormStatsCalculator.Sample(files, 10, seed: 42));
        Assert.NotEqual(a, NormStatsCalculator.Sample(files, 10, seed: 43));
        Assert.Equal(10, a.Distinct().Count());
        Assert.Same(files, NormStatsCalculator.Sample(files, 50, seed: 42));
    }

    [Fact]
    public void Parse_reads_mean_and_std_and_rejects_nonsense()
    {
        Assert.Equal(new NormStats(-5.5, 5.25), NormStats.Parse("-5.5, 5.25"));
        var s = new NormStats(-5.123456789012345, 4.987654321);
        Assert.Equal(s, NormStats.Parse(s.ToString()));
        Assert.Throws<ByolAException>(() => NormStats.Parse("1"));
        Assert.Throws<ByolAException>(() => NormStats.Parse("a,b"));
        Assert.Throws<ByolAException>(() => NormStats.Parse("0,0"));
        Assert.Throws<ByolAException>(() => NormStats.Parse("0,-1"));
    }

    [Fact]
    public void Unreadable_files_fail_unless_skipped()
    {
        using var tmp = new TempDir();
        var files = EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5).ToList();
        var bad = tmp.File("audio/bad.wav");
        File.WriteAllBytes(bad, [1, 2, 3]);
        files.Add(bad);
        var e = Assert.Throws<ByolAException>(() => NormStatsCalculator.Compute(files, ByolAConfig.V1));
        Assert.Contains(bad, e.Message);
        var skipped = new List<(string, string)>();
        var stats = NormStatsCalculator.Compute(files, ByolAConfig.V1, skipBad: true, skipped: skipped);
        Assert.Equal(NormStatsCalculator.Compute(files.Take(1).ToList(), ByolAConfig.V1), stats);
        Assert.Equal(bad, Assert.Single(skipped).Item1);
    }
}
