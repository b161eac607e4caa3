using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Runtime;

/// <summary>
/// Float precision of CUDA matmuls and convolutions. libtorch's defaults mix them (cuDNN convs in TF32, about
/// 1e-3 relative; matmuls in full FP32), which breaks CPU parity without giving the speed, so every run sets both
/// explicitly: FP32 by default, TF32 for both when asked. On the CPU there is nothing to set and runs are FP32.
/// </summary>
internal static class Precision
{
    /// <summary>Applies the setting for work on <paramref name="device"/>; returns what the run uses: "fp32" or "tf32".</summary>
    public static string Apply(Device device, bool tf32)
    {
        if (device.type != DeviceType.CUDA) return "fp32";
        backends.cuda.matmul.allow_tf32 = tf32;
        backends.cudnn.allow_tf32 = tf32;
        return tf32 ? "tf32" : "fp32";
    }

    /// <summary>
    /// What results computed on <paramref name="device"/> depend on, as recorded in logs and cache keys:
    /// device kind and precision, e.g. "cpu-fp32", "cuda-tf32" (the device index does not change numerics).
    /// </summary>
    public static string Describe(Device device, bool tf32) =>
        device.type == DeviceType.CUDA ? (tf32 ? "cuda-tf32" : "cuda-fp32") : "cpu-fp32";
}
