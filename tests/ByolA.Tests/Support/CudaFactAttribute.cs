using static TorchSharp.torch;

namespace ByolA.Tests.Support;

/// <summary>A fact that needs a CUDA device; skipped with the reason on a machine without one.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!cuda.is_available()) Skip = "needs a CUDA device (the NCCL path is otherwise the MPI path's code: the same DataParallel over another IProcessGroup)";
    }
}
