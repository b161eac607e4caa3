using ByolA.Runtime;
using ByolA.Tests.Support;

namespace ByolA.Tests.Runtime;

public class NativeHeapTests
{
    [Fact]
    public void Heap_tuning_applies_on_linux_glibc_and_only_once()
    {
        bool first = NativeHeap.Configure();
        Assert.Equal(first, NativeHeap.Configure());
        Assert.Equal(first, NativeHeap.IsTuned);
        // Tuned exactly where glibc's mallopt exists (both ways: glibc must be tuned, anything else must not claim to be).
        bool glibc = OperatingSystem.IsLinux() && GlibcVersion() != null;
        Assert.Equal(glibc && Environment.GetEnvironmentVariable("BYOLA_MALLOC_TUNING") != "0", first);
    }

    static string? GlibcVersion()
    {
        try { return System.Runtime.InteropServices.Marshal.PtrToStringAnsi(gnu_get_libc_version()); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    static extern IntPtr gnu_get_libc_version();

    [Fact]
    public void Tuning_can_be_turned_off_for_a_process()
    {
        // Configure runs once per process, so the switch is checked where it is read: in a fresh byola process.
        var (code, output, err) = CliRunner.RunChild(new Dictionary<string, string> { ["BYOLA_MALLOC_TUNING"] = "0" }, "runtime", "--device", "cpu");
        Assert.True(code == 0, err);
        Assert.Contains("malloc defaults", output);
        Assert.DoesNotContain("tuned for tensors", output);
    }
}
