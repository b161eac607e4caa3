using TorchSharp;

namespace ByolA.Runtime;

/// <summary>Process-wide TorchSharp settings every verb applies before computing.</summary>
public static class TorchSetup
{
    /// <summary>The name <see cref="Initialise"/>'s thread-count errors blame (<see cref="ByolAException.Options"/>).</summary>
    public const string ThreadsOption = "Threads";

    /// <summary>
    /// Sets the intra-op thread count (default: all available cores) and resolves the device.
    /// Loading TorchSharp's native library happens here, so a broken runtime fails early with a clear message.
    /// Also tunes the native heap for tensor workloads (<see cref="NativeHeap"/>) before the first tensor exists.
    /// </summary>
    /// <remarks>A thread count that cannot work is an <see cref="OptionException"/> naming <see cref="ThreadsOption"/>.</remarks>
    public static torch.Device Initialise(DeviceSpec device, int? threads)
    {
        ResourceLimits.RequireThreads(ThreadsOption, threads);
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

    /// <summary>
    /// What this process computes with, as key/value lines: where libtorch came from, CUDA availability, the device
    /// (after running one small product on it), the thread count and the heap tuning. Call after <see cref="Initialise"/>.
    /// </summary>
    public static IReadOnlyList<(string Key, string Value)> Describe(torch.Device device)
    {
        var folder = Environment.GetEnvironmentVariable(LibTorchFolder.EnvironmentVariable);
        var lines = new List<(string, string)>
        {
            ("libtorch", string.IsNullOrWhiteSpace(folder) ? "bundled with this build" : Path.GetFullPath(folder)),
        };
        if (!string.IsNullOrWhiteSpace(folder) && LibTorchFolder.FolderVersion(folder) is { } version) lines.Add(("libtorch_version", version));
        bool cuda = torch.cuda.is_available();
        lines.Add(("cuda_available", cuda ? "yes" : "no"));
        if (cuda) lines.Add(("cuda_devices", torch.cuda.device_count().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using (var a = torch.tensor(new float[] { 1, 2, 3, 4 }, [2, 2], device: device))
        using (var p = a.matmul(a))
        using (var host = p.cpu())
        {
            var ok = host.data<float>().ToArray().SequenceEqual([7f, 10f, 15f, 22f]);
            lines.Add(("device", $"{device} ({(ok ? "computes correctly" : "WRONG RESULT")})"));
            if (!ok) throw new ByolAException($"a 2×2 matrix product on {device} gave a wrong result: this libtorch does not work here");
        }
        lines.Add(("threads", torch.get_num_threads().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        lines.Add(("native_heap", NativeHeap.IsTuned ? "tuned for tensors (BYOLA_MALLOC_TUNING=0 leaves malloc at its defaults)" : "malloc defaults"));
        lines.Add(("bf16_autocast", LibTorchNative.AutocastProblem is { } problem ? "unavailable: " + problem : "available"));
        // Whether bf16 on the CPU is native (fast) or emulated (slower than fp32): the instructions libtorch's oneDNN uses.
        if (CpuBf16Instructions() is { } flags) lines.Add(("cpu_bf16", flags.Length > 0 ? string.Join(" ", flags) : "emulated (no avx512_bf16 or amx_bf16)"));
        return lines;
    }

    /// <summary>The CPU's bfloat16 instructions named in /proc/cpuinfo (Linux), or null where it cannot be read.</summary>
    static string[]? CpuBf16Instructions()
    {
        try
        {
            var words = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal))?.Split(' ');
            return words?.Where(w => w is "avx512_bf16" or "amx_bf16").ToArray();
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
