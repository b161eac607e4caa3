using ByolA.Runtime;

namespace ByolA.Tests.Support;

/// <summary>
/// A fact that needs an NVIDIA GPU and a CUDA libtorch (the bundled one, or <c>BYOLA_LIBTORCH</c>'s); skipped with the
/// reason otherwise. Decided from files only: loading libtorch while tests are discovered would load it before the
/// settings the tests' torch setup makes first.
/// </summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        bool gpu = File.Exists("/dev/nvidiactl");
        var folders = new[] { Environment.GetEnvironmentVariable(LibTorchFolder.EnvironmentVariable), Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native") };
        bool cudaTorch = folders.Any(f => !string.IsNullOrEmpty(f) && File.Exists(Path.Combine(f, "libtorch_cuda.so")));
        if (!gpu || !cudaTorch)
            Skip = "needs an NVIDIA GPU and a CUDA build of libtorch (the NCCL path is otherwise the MPI path's code: the same DataParallel over another IProcessGroup)";
    }
}
