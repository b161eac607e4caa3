using TorchSharp;

namespace ByolA.Runtime;

/// <summary>Process-wide TorchSharp settings every verb applies before computing.</summary>
public static class TorchSetup
{
    /// <summary>
    /// Sets the intra-op thread count (default: all available cores) and resolves the device.
    /// Loading TorchSharp's native library happens here, so a broken runtime fails early with a clear message.
    /// Also tunes the native heap for tensor workloads (<see cref="NativeHeap"/>) before the first tensor exists.
    /// </summary>
    public static torch.Device Initialise(DeviceSpec device, int? threads)
    {
        if (threads is <= 0) throw new ByolAException($"--threads must be a positive number (got {threads})");
        NativeHeap.Configure();
        bool external = LibTorchFolder.LoadFromEnvironment();
        try
        {
            torch.set_num_threads(threads ?? Environment.ProcessorCount);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException)
        {
            throw new ByolAException(
                "TorchSharp's native runtime could not be loaded: " + (e.InnerException?.Message ?? e.Message) + ". " +
                (external
                    ? $"Check that {LibTorchFolder.EnvironmentVariable} names the lib folder of a PyTorch {LibTorchFolder.ExpectedVersion} install."
                    : "Rebuild with `dotnet build` (the build fixes libLibTorchSharp.so for older libstdc++); a build made with " +
                      $"-p:TorchBackend=external has no libtorch of its own and needs {LibTorchFolder.EnvironmentVariable} set to a libtorch " +
                      "lib folder (see README 'CPU and CUDA' and 'Troubleshooting')."), e);
        }
        return device.Resolve();
    }
}
