using ByolA.Probe;
using ByolA.Configuration;
using ByolA.Learning;
using ByolA.Runtime;
using ByolA.Tests.Support;

namespace ByolA.Tests.Configuration;

/// <summary>The library blames options in its own terms (property names and config keys), never by a CLI flag.</summary>
public class OptionNamingTests
{
    [Fact]
    public void Options_records_name_the_property_that_is_wrong()
    {
        var e = Assert.Throws<OptionException>(() => new ProbeOptions { BatchSize = 0 }.Validate());
        Assert.Equal(nameof(ProbeOptions.BatchSize), e.Option);
        Assert.Equal("BatchSize must be > 0 (got 0)", e.Message);
        Assert.Equal("--batch must be > 0 (got 0)", e.Format(_ => "--batch"));
    }

    [Fact]
    public void A_config_value_names_its_key_and_its_source()
    {
        var e = Assert.Throws<ConfigException>(() => (ByolAConfig.V1 with { Lr = -1 }).Validate("my.yaml"));
        Assert.Equal("lr", e.Key);
        Assert.Equal("lr", e.Option);
        Assert.Equal("my.yaml: key 'lr' must be a number in (0, 1000] (got -1)", e.Message);
        Assert.Equal("--lr must be a number in (0, 1000] (got -1)", e.Format(_ => "--lr"));
    }

    [Fact]
    public void Training_larger_than_memory_is_refused_before_any_file_is_read()
    {
        using var dir = new TempDir();
        var options = new TrainOptions { Config = ByolAConfig.V1 with { FeatureD = 100_000_000 }, AudioDir = dir.File("missing") };
        var e = Assert.Throws<OptionException>(() => options.Validate());
        Assert.Equal("feature_d", e.Option);
        Assert.Contains("more memory than this machine has", e.Message);
        // A config that fits gets past the checks to the missing folder.
        Assert.DoesNotContain("memory", Assert.Throws<ByolAException>(() => (options with { Config = ByolAConfig.V1 }).Validate()).Message);
    }

    [Fact]
    public void A_clip_longer_than_an_array_is_a_config_error()
    {
        var e = Assert.Throws<ConfigException>(() => (ByolAConfig.V1 with { UnitSec = 1e10 }).Validate("f.yaml"));
        Assert.Equal("unit_sec", e.Key);
        Assert.Contains($"at most {ByolAConfig.MaxUnitSamples}", e.Message);
    }

    [Fact]
    public void Thread_counts_are_bounded_by_the_machine()
    {
        ResourceLimits.RequireThreads("Jobs", ResourceLimits.MaxThreads);
        ResourceLimits.RequireThreads("Jobs", null);
        Assert.Equal("Jobs", Assert.Throws<OptionException>(() => ResourceLimits.RequireThreads("Jobs", ResourceLimits.MaxThreads + 1)).Option);
        Assert.Equal("Jobs", Assert.Throws<OptionException>(() => ResourceLimits.RequireThreads("Jobs", 0)).Option);
    }
}
