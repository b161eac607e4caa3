using System.Runtime.InteropServices;

namespace ByolA.Runtime;

/// <summary>
/// Keeps glibc's malloc from handing large tensor buffers back to the kernel on every free.
/// <para>
/// libtorch's CPU allocator is plain malloc. glibc serves every block above its mmap threshold (at most 32 MiB) with a
/// fresh <c>mmap</c> and unmaps it on free, and trims the heap top beyond 128 KiB; a training step allocates and frees
/// hundreds of MiB of activations (the first conv block alone is B·64·64·96 floats per view), so every step pays for
/// zero-filling page faults on all of it again. Serving big blocks from the heap and never trimming it lets the next
/// step reuse the same pages: measured 1.55× more BYOL steps per second on 2 cores (d 2048, batch 64). The cost is
/// that the process keeps its high-water mark of memory until it exits, which for our verbs is the peak anyway.
/// </para>
/// Only on Linux with glibc; elsewhere (macOS, Windows, musl's no-op mallopt) it changes nothing.
/// Set <c>BYOLA_MALLOC_TUNING=0</c> to leave malloc at its defaults.
/// </summary>
internal static class NativeHeap
{
    const int M_TRIM_THRESHOLD = -1;
    const int M_MMAP_MAX = -4;

    static int configured;

    /// <summary>Whether the tuning was applied in this process.</summary>
    public static bool IsTuned { get; private set; }

    /// <summary>Applies the tuning once per process (later calls do nothing); returns whether it is in effect.</summary>
    public static bool Configure()
    {
        if (Interlocked.Exchange(ref configured, 1) == 1) return IsTuned;
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("BYOLA_MALLOC_TUNING") == "0") return false;
        try
        {
            // mallopt returns 1 on success; both settings or neither, so a half-applied state is never reported as tuned.
            IsTuned = mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, int.MaxValue) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            IsTuned = false;
        }
        return IsTuned;
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);
}
