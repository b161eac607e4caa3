using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Runtime;

/// <summary>
/// A region of mixed precision on the calling thread, like <c>with torch.autocast(device_type, dtype=torch.bfloat16)</c>:
/// inside it libtorch runs convolutions and matmuls in bfloat16 (their outputs are bfloat16) and the ops on its
/// FP32 list in FP32; parameters stay FP32 (their bfloat16 copies are cached for the region and dropped at its end, so
/// an optimizer step after it sees no stale copy). Autocast is per thread: other threads are untouched, and each
/// thread that runs a model opens its own region. Disposing restores the thread's previous state; dispose on the
/// thread that opened it. For FP32 and TF32 the region does nothing.
/// </summary>
internal sealed class Autocast : IDisposable
{
    readonly DeviceType device;
    readonly bool wasEnabled;
    readonly ScalarType previousDtype;
    readonly int thread;
    bool disposed;

    Autocast(DeviceType device)
    {
        this.device = device;
        thread = Environment.CurrentManagedThreadId;
        wasEnabled = LibTorchNative.IsAutocastEnabled(device);
        previousDtype = LibTorchNative.GetAutocastDtype(device);
        LibTorchNative.SetAutocastDtype(device, ScalarType.BFloat16);
        LibTorchNative.SetAutocastEnabled(device, true);
        LibTorchNative.IncrementAutocastNesting();
    }

    /// <summary>A region on <paramref name="device"/>'s kind for <paramref name="precision"/>: null (nothing to undo) unless it is bf16.</summary>
    public static Autocast? Region(Device device, NumericPrecision precision) =>
        precision == NumericPrecision.Bf16 ? new Autocast(device.type) : null;

    public void Dispose()
    {
        if (disposed) return;
        if (Environment.CurrentManagedThreadId != thread)
            throw new InvalidOperationException("an autocast region must end on the thread that opened it (libtorch keeps autocast per thread)");
        disposed = true;
        if (LibTorchNative.DecrementAutocastNesting() == 0) LibTorchNative.ClearAutocastCache();
        LibTorchNative.SetAutocastEnabled(device, wasEnabled);
        LibTorchNative.SetAutocastDtype(device, previousDtype);
    }
}
