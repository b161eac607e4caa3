using ByolA.Configuration;
using ByolA.Tests.Support;

namespace ByolA.Tests.Configuration;

public class ConfigTests
{
    static string RepoConfig(string name) => Path.Combine(SharedData.RepoRoot, "configs", name);

    [Fact]
    public void Shipped_v1_config_matches_spec_values()
    {
        var c = ConfigLoader.Load(RepoConfig("config.yaml")).Validate("config.yaml");
        Assert.Equal(ByolAConfig.V1 with { Shape = c.Shape }, c);
        Assert.Equal(new[] { 64, 96 }, c.Shape);
        Assert.Equal(0.95, c.UnitSec);
        Assert.Equal(15200, c.UnitSamples);
        Assert.Equal(2048, c.FeatureD);
        Assert.Equal(0.0003, c.Lr);
        Assert.Equal(ModelKind.AudioNTT2020, c.Encoder.Kind);
    }

    [Fact]
    public void Shipped_v2_config_matches_spec_values()
    {
        var c = ConfigLoader.Load(RepoConfig("config_v2.yaml")).Validate("config_v2.yaml");
        Assert.Equal(ByolAConfig.V2 with { Shape = c.Shape }, c);
        Assert.Equal(3072, c.FeatureD);
        Assert.Equal(0.0001, c.Lr);
        Assert.Equal(ModelKind.AudioNTT2022, c.Encoder.Kind);
    }

    [Fact]
    public void Unknown_key_names_key_file_and_line()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("lr: 0.1\nlearning_rate: 0.2\n", "my.yaml"));
        Assert.Contains("my.yaml:2", e.Message);
        Assert.Contains("unknown key 'learning_rate'", e.Message);
    }

    [Theory]
    [InlineData("bs: lots\n", "'bs' expects an integer")]
    [InlineData("lr: fast\n", "'lr' expects a number")]
    [InlineData("shape: 64\n", "'shape' expects a list")]
    [InlineData("shape: [64, x]\n", "'shape' expects an integer")]
    public void Wrong_types_are_errors_naming_the_key(string yaml, string expected) =>
        Assert.Contains(expected, Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "f.yaml")).Message);

    [Fact]
    public void Invalid_values_fail_validation_naming_the_key()
    {
        var c = ConfigLoader.Parse("n_mels: 60\nshape: [60, 96]\n", "f.yaml");
        Assert.Contains("'n_mels'", Assert.Throws<ConfigException>(() => c.Validate("f.yaml")).Message);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("model: Resnet\n", "f.yaml"));
        Assert.Equal("model", e.Key);
        Assert.Contains("got 'Resnet'", e.Message);
        Assert.Equal(ModelKind.AudioNTT2022, ConfigLoader.Parse("model: AudioNTT2022\n", "f.yaml").Model);
        var layered = ConfigLoader.Parse("model: AudioNTT2020X\n", "f.yaml");
        Assert.Contains("'model' must be one of AudioNTT2020, AudioNTT2022", Assert.Throws<ConfigException>(() => layered.Validate("f.yaml")).Message);
    }

    [Fact]
    public void Overrides_apply_with_yaml_typing()
    {
        var c = ConfigLoader.ApplyOverrides(ByolAConfig.V1, ["lr=0.001", "shape=[64, 48]", "resume=", "epochs=3"]);
        Assert.Equal(0.001, c.Lr);
        Assert.Equal(new[] { 64, 48 }, c.Shape);
        Assert.Equal(3, c.Epochs);
        Assert.Equal("", c.Resume);
        Assert.Equal(0.0003, ByolAConfig.V1.Lr);
        Assert.Contains("key=value", Assert.Throws<ConfigException>(() => ConfigLoader.ApplyOverrides(c, ["lr"])).Message);
        Assert.Contains("unknown key 'nope'", Assert.Throws<ConfigException>(() => ConfigLoader.ApplyOverrides(c, ["nope=1"])).Message);
    }

    [Fact]
    public void Missing_file_is_a_clear_error() =>
        Assert.Contains("config file not found", Assert.Throws<ConfigException>(() => ConfigLoader.Load("/nonexistent/c.yaml")).Message);

    [Fact]
    public void Source_resolves_presets() =>
        Assert.Equal(3072, ConfigSource.Resolve("v2", ["seed=1"]).FeatureD);

    [Fact]
    public void Precision_is_fp32_unless_set_and_is_read_in_lower_case()
    {
        Assert.Equal(ByolA.Runtime.NumericPrecision.Fp32, ByolAConfig.V1.Precision);
        Assert.Equal(ByolA.Runtime.NumericPrecision.Bf16, ConfigLoader.ApplyOverrides(ByolAConfig.V1, ["precision=bf16"]).Precision);
        Assert.Equal(ByolA.Runtime.NumericPrecision.Tf32, ConfigLoader.With(ByolAConfig.V1, "precision", "tf32").Precision);
        Assert.Contains("expects one of Fp32, Tf32, Bf16", Assert.Throws<ConfigException>(() => ConfigLoader.ApplyOverrides(ByolAConfig.V1, ["precision=fp16"])).Message);
    }
}
