using System.CommandLine;
using ByolA.Configuration;
using ByolA.Runtime;

namespace ByolA.Cli;

/// <summary>The options every computing verb shares: --config, --set, --device, --threads.</summary>
public sealed class ComputeOptions
{
    public Option<string?> Config { get; } = new("--config", "-c")
    {
        Description = "Config file (YAML, keys as in configs/config.yaml), or 'v1' / 'v2' for the built-in recipes. " +
                      "Default: configs/config.yaml in the current folder, else the built-in v1 values.",
        HelpName = "FILE|v1|v2",
    };

    public Option<string[]> Set { get; } = new("--set")
    {
        Description = "Override one config key, e.g. --set lr=0.001 --set shape=[64,96]. Repeatable.",
        HelpName = "KEY=VALUE",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string> Device { get; } = new("--device")
    {
        Description = "Where to compute: auto (CUDA when available), cpu, cuda or cuda:N.",
        DefaultValueFactory = _ => "auto",
        HelpName = "auto|cpu|cuda[:N]",
    };

    public Option<int?> Threads { get; } = new("--threads")
    {
        Description = "CPU threads for tensor work. Default: all available cores.",
        HelpName = "N",
    };

    /// <summary>The --tf32 flag of the verbs that run an encoder (train, embed, evaluate).</summary>
    public static Option<bool> Tf32() => new("--tf32")
    {
        Description = "CUDA only: run convolutions and matmuls in TF32 (faster on Ampere and later GPUs, about 1e-3 relative " +
                      "difference) instead of the default full FP32, which matches the CPU. Recorded in train_log.csv and the embedding cache key.",
    };

    /// <summary>Adds the options to <paramref name="command"/>; returns this for chaining.</summary>
    public ComputeOptions AddTo(Command command)
    {
        command.Options.Add(Config);
        command.Options.Add(Set);
        command.Options.Add(Device);
        command.Options.Add(Threads);
        return this;
    }

    /// <summary>The validated config: file or preset, then --set, then the verb's own typed overrides.</summary>
    public ByolAConfig LoadConfig(ParseResult parse, params (string Key, object? Value)[] flags)
    {
        var overrides = new List<string>(parse.GetValue(Set) ?? []);
        overrides.AddRange(flags.Where(f => f.Value != null)
            .Select(f => $"{f.Key}={Convert.ToString(f.Value, System.Globalization.CultureInfo.InvariantCulture)}"));
        return ConfigSource.Resolve(parse.GetValue(Config), overrides);
    }

    /// <summary>Parses --device (an invalid value is a usage error) without touching the native runtime.</summary>
    public DeviceSpec GetDevice(ParseResult parse)
    {
        try { return DeviceSpec.Parse(parse.GetValue(Device) ?? "auto"); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    /// <summary>Loads TorchSharp, sets threads, resolves the device.</summary>
    public TorchSharp.torch.Device InitialiseTorch(ParseResult parse) =>
        TorchSetup.Initialise(GetDevice(parse), parse.GetValue(Threads));
}
