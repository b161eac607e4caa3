using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Runtime;

/// <summary>
/// The memory layout the encoders' convolutions run in, per device. On the CPU always channels-last (NHWC): measured
/// 1.4× faster training steps and 1.7× faster embedding (oneDNN's NCHW max-pool alone took a fifth of a step). On CUDA
/// NCHW unless <see cref="CudaChannelsLast"/> is set: whether cuDNN's NHWC kernels win depends on the GPU and the
/// precision (tensor-core bf16 kernels are NHWC), so it is a measured choice (<c>bench/gpu-check.sh</c> times both).
/// Process-wide, as libtorch's TF32 and cuDNN-autotuning switches are; only results' rounding depends on it.
/// </summary>
internal static class ConvLayout
{
    static volatile bool cudaChannelsLast;

    /// <summary>CUDA convolutions run channels-last when set. Default off.</summary>
    public static bool CudaChannelsLast
    {
        get => cudaChannelsLast;
        set => cudaChannelsLast = value;
    }

    /// <summary>Whether convolutions on <paramref name="x"/>'s device run channels-last.</summary>
    public static bool ChannelsLast(Tensor x) => x.device_type switch
    {
        DeviceType.CPU => true,
        DeviceType.CUDA => cudaChannelsLast,
        _ => false,
    };
}
