namespace ByolA.Runtime;

/// <summary>The kinds of device a <see cref="DeviceSpec"/> names.</summary>
public enum DeviceKind
{
    /// <summary>CUDA when available, else the CPU.</summary>
    Auto,
    Cpu,
    Cuda,
}
