using ByolA.Runtime;

namespace ByolA.Tests.Runtime;

public class NativeHeapTests
{
    [Fact]
    public void Heap_tuning_applies_on_linux_glibc_and_only_once()
    {
        bool first = NativeHeap.Configure();
        Assert.Equal(first, NativeHeap.Configure());
        Assert.Equal(first, NativeHeap.IsTuned);
        // The test hosts here are Linux with glibc: mallopt must be found and accept both settings.
        if (OperatingSystem.IsLinux() && File.Exists("/lib/x86_64-linux-gnu/libc.so.6") && Environment.GetEnvironmentVariable("BYOLA_MALLOC_TUNING") != "0")
            Assert.True(first);
    }
}
