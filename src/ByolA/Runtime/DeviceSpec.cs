using TorchSharp;

namespace ByolA.Runtime;

/// <summary>
/// Where to compute, as a user names it: <c>auto</c> (CUDA when available, else CPU), <c>cpu</c>, <c>cuda</c> or
/// <c>cuda:N</c>. The one way every entry point is told its device: parsed once (<see cref="Parse"/>), resolved to a
/// torch device only by work that needs libtorch (<see cref="Resolve"/>). Resolving <c>cuda</c> on a machine without
/// CUDA is an error rather than a silent CPU fallback.
/// </summary>
public sealed record DeviceSpec(DeviceKind Kind, int Index)
{
    public static DeviceSpec Auto { get; } = new(DeviceKind.Auto, 0);
    public static DeviceSpec Cpu { get; } = new(DeviceKind.Cpu, 0);

    /// <summary>The property name <see cref="Parse"/>'s errors blame (<see cref="ByolAException.Options"/>).</summary>
    public const string OptionName = "Device";

    /// <summary>Whether this names a CUDA device explicitly (<c>auto</c> does not).</summary>
    public bool IsCuda => Kind == DeviceKind.Cuda;

    /// <summary>Parses auto | cpu | cuda | cuda:N (case-insensitive); anything else is an <see cref="OptionException"/>.</summary>
    public static DeviceSpec Parse(string? text)
    {
        var t = (text ?? "").Trim().ToLowerInvariant();
        if (t is "auto" or "") return Auto;
        if (t == "cpu") return Cpu;
        if (t == "cuda") return new(DeviceKind.Cuda, 0);
        if (t.StartsWith("cuda:") && int.TryParse(t[5..], out var n) && n >= 0) return new(DeviceKind.Cuda, n);
        throw OptionException.Invalid(OptionName, $"'{text}' is not a device: use auto, cpu, cuda or cuda:N");
    }

    /// <summary>The torch device this spec selects on the current machine.</summary>
    public torch.Device Resolve()
    {
        switch (Kind)
        {
            case DeviceKind.Cpu:
                return torch.CPU;
            case DeviceKind.Cuda:
                if (!torch.cuda.is_available())
                    throw new ByolAException($"{this} was asked for but CUDA is not available: on a machine with an NVIDIA driver, build with " +
                            "-p:TorchBackend=cuda (TorchSharp's CUDA libtorch from NuGet), or build with -p:TorchBackend=external and set " +
                            $"{LibTorchFolder.EnvironmentVariable} to the lib folder of an installed CUDA PyTorch {LibTorchFolder.ExpectedVersion}; or compute on the cpu");
                if (Index >= torch.cuda.device_count())
                    throw new ByolAException($"{this} was asked for but only {torch.cuda.device_count()} CUDA device(s) exist");
                return new torch.Device(DeviceType.CUDA, Index);
            default:
                return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        }
    }

    public override string ToString() => Kind switch { DeviceKind.Cuda => $"cuda:{Index}", DeviceKind.Cpu => "cpu", _ => "auto" };
}
