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

    /// <summary>The --tf32 flag of the verbs that run an encoder (train, embed, evaluate): --precision tf32.</summary>
    public static Option<bool> Tf32() => new("--tf32")
    {
        Description = "Same as --precision tf32. CUDA only: run convolutions and matmuls in TF32 (faster on Ampere and later GPUs, about 1e-3 relative " +
                      "difference) instead of the default full FP32, which matches the CPU. Recorded as --precision is.",
    };

    /// <summary>
    /// The --precision flag of the verbs that run an encoder. Training's sets the config key precision
    /// (<see cref="ConfigFlag"/>); embed and evaluate read it with <see cref="ParsePrecision"/>, so a config made for
    /// bf16 training still embeds in FP32 unless asked.
    /// </summary>
    public static Option<string?> Precision(string what) => new("--precision")
    {
        Description = "Float precision: fp32; tf32 (CUDA only, same as --tf32); bf16 = mixed precision through libtorch's autocast, " +
                      "bfloat16 convolutions and matmuls with FP32 weights (fast on GPUs and on CPUs with AVX512-BF16/AMX). " + what,
        HelpName = "fp32|tf32|bf16",
    };

    /// <summary>--precision's value (null: FP32); anything but fp32, tf32 or bf16 is a usage error.</summary>
    public static NumericPrecision ParsePrecision(ParseResult parse, Option<string?> flag) => parse.GetValue(flag) switch
    {
        null => NumericPrecision.Fp32,
        var text when Enum.GetValues<NumericPrecision>().Where(p => p.ToString().Equals(text.Trim(), StringComparison.OrdinalIgnoreCase)).ToList() is [var p] => p,
        var text => throw new UsageException($"{flag.Name} {text}: expects fp32, tf32 or bf16"),
    };

    readonly List<(string Key, Option Flag)> configFlags = [];

    public ComputeOptions()
    {
        Names.Add(TorchSetup.ThreadsOption, Threads).Add(DeviceSpec.OptionName, Device).AddOverrides(Set);
    }

    /// <summary>
    /// The verb's names for the library's options (see <see cref="FlagNames"/>), holding --threads, --device, --set and
    /// the config flags; the verb adds its own and passes them to <see cref="VerbRunner.Run"/>.
    /// </summary>
    public FlagNames Names { get; } = new();

    /// <summary>Adds the options to <paramref name="command"/>; returns this for chaining.</summary>
    public ComputeOptions AddTo(Command command)
    {
        command.Options.Add(Config);
        command.Options.Add(Set);
        command.Options.Add(Device);
        command.Options.Add(Threads);
        return this;
    }

    /// <summary>
    /// Makes <paramref name="flag"/> a typed override of config key <paramref name="key"/> (<c>--lr</c> of <c>lr</c>):
    /// applied after --set, and named in errors about the key. Returns this for chaining.
    /// </summary>
    public ComputeOptions ConfigFlag(string key, Option flag)
    {
        configFlags.Add((key, flag));
        Names.AddConfigKey(key, flag);
        return this;
    }

    /// <summary>
    /// The validated config: file or preset, then --set, then the verb's config flags. A --set item that cannot be read is a
    /// usage error here; a value that cannot work is a <see cref="ConfigException"/> naming its key, which
    /// <see cref="VerbRunner"/> blames on the flag or --set that gave it, or else on the file. Also checks --threads and
    /// --device, so every computing verb refuses them before any work.
    /// </summary>
    /// <param name="fallback">The config without --config (default: <see cref="ConfigSource.Load"/>'s).</param>
    public ByolAConfig LoadConfig(ParseResult parse, (ByolAConfig Config, string Source)? fallback = null)
    {
        ResourceLimits.RequireThreads(TorchSetup.ThreadsOption, parse.GetValue(Threads));
        GetDevice(parse);
        var (config, source) = fallback is { } f && parse.GetValue(Config) is not { Length: > 0 } ? f : ConfigSource.Load(parse.GetValue(Config));
        foreach (var item in parse.GetValue(Set) ?? [])
        {
            try { config = ConfigLoader.ApplyOverrides(config, [item]); }
            catch (ConfigException e) { throw new UsageException($"{Set.Name} {item}: {e.Detail}"); }
        }
        foreach (var (key, flag) in configFlags)
            if (parse.GetResult(flag) is { Implicit: false } given && given.GetValueOrDefault<object?>() is { } value)
                config = ConfigLoader.With(config, key, value);
        return config.Validate(source);
    }

    /// <summary>The one parse of --device every verb uses (a bad value is an <see cref="OptionException"/>); loads nothing.</summary>
    public DeviceSpec GetDevice(ParseResult parse) => DeviceSpec.Parse(parse.GetValue(Device));

    /// <summary>Checks --threads, loads TorchSharp, sets threads, resolves the device.</summary>
    public TorchSharp.torch.Device InitialiseTorch(ParseResult parse) =>
        TorchSetup.Initialise(GetDevice(parse), parse.GetValue(Threads));
}
