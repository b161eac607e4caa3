using TorchSharp;

namespace ByolA.Runtime;

/// <summary>
/// A parsed <c>--device</c> value: <c>auto</c> (CUDA when available, else CPU), <c>cpu</c>, <c>cuda</c> or
/// <c>cuda:N</c>. Resolving <c>cuda</c> on a machine without CUDA is an error rather than a silent CPU fallback.
/// </summary>
public sealed record DeviceSpec(string Kind, int Index)
{
    public static DeviceSpec Auto { get; } = new("auto", 0);
    public static DeviceSpec Cpu { get; } = new("cpu", 0);

    /// <summary>Parses auto | cpu | cuda | cuda:N (case-insensitive).</summary>
    public static DeviceSpec Parse(string text)
    {
        var t = (text ?? "").Trim().ToLowerInvariant();
        if (t is "auto" or "") return Auto;
        if (t == "cpu") return Cpu;
        if (t == "cuda") return new("cuda", 0);
        if (t.StartsWith("cuda:") && int.TryParse(t[5..], out var n) && n >= 0) return new("cuda", n);
        throw new ArgumentException($"invalid device '{text}': use auto, cpu, cuda or cuda:N");
    }

    /// <summary>The torch device this spec selects on the current machine.</summary>
    public torch.Device Resolve()
    {
        switch (Kind)
        {
            case "cpu":
                return torch.CPU;
            case "cuda":
                if (!torch.cuda.is_available())
                    throw new ByolAException("--device cuda was requested but CUDA is not available: on a machine with an NVIDIA driver, build with " +
                            "-p:TorchBackend=cuda (TorchSharp's CUDA libtorch from NuGet), or build with -p:TorchBackend=external and set " +
                            $"{LibTorchFolder.EnvironmentVariable} to the lib folder of an installed CUDA PyTorch {LibTorchFolder.ExpectedVersion}; or use --device cpu");
                if (Index >= torch.cuda.device_count())
                    throw new ByolAException($"--device cuda:{Index} was requested but only {torch.cuda.device_count()} CUDA device(s) exist");
                return new torch.Device(DeviceType.CUDA, Index);
            default:
                return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        }
    }

    public override string ToString() => Kind == "cuda" ? $"cuda:{Index}" : Kind;
}
