using System.Runtime.InteropServices;

namespace ByolA.Distributed;

/// <summary>
/// Thin bindings to NVIDIA's NCCL (libnccl.so.2) and the one CUDA runtime call it needs (<c>cudaSetDevice</c>, from the
/// libcudart libtorch already loaded), found once per process. Collectives are queued on stream 0, the stream
/// TorchSharp's kernels run on, so they follow the backward pass that made the gradients without a host wait.
/// </summary>
internal sealed class NcclNative
{
    public const string Library = "libnccl.so.2";
    public const int Uint8 = 1, Int64 = 4, Float32 = 7, Sum = 0;

    /// <summary><c>ncclUniqueId</c>: 128 opaque bytes, passed by value to <c>ncclCommInitRank</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct UniqueId
    {
        [MarshalAs(UnmanagedType.ByValArray, SizeConst = 128)] public byte[] Bytes;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int GetUniqueIdFn(ref UniqueId id);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int CommInitRankFn(out IntPtr comm, int ranks, UniqueId id, int rank);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int AllReduceFn(IntPtr send, IntPtr recv, nuint count, int type, int op, IntPtr comm, IntPtr stream);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int BroadcastFn(IntPtr send, IntPtr recv, nuint count, int type, int root, IntPtr comm, IntPtr stream);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int AllGatherFn(IntPtr send, IntPtr recv, nuint count, int type, IntPtr comm, IntPtr stream);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int CommFn(IntPtr comm);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int AsyncErrorFn(IntPtr comm, out int error);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate IntPtr ErrorStringFn(int result);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int SetDeviceFn(int device);

    public required GetUniqueIdFn GetUniqueId { get; init; }
    public required CommInitRankFn CommInitRank { get; init; }
    public required AllReduceFn AllReduce { get; init; }
    public required BroadcastFn Broadcast { get; init; }
    public required AllGatherFn AllGather { get; init; }
    public required CommFn CommAbort { get; init; }
    public required CommFn CommDestroy { get; init; }
    public required AsyncErrorFn CommGetAsyncError { get; init; }
    public required ErrorStringFn ErrorString { get; init; }
    public required SetDeviceFn CudaSetDevice { get; init; }

    static readonly Lazy<NcclNative> loaded = new(() =>
    {
        // A libtorch whose CUDA build brought its own NCCL (loaded as a library of its own) is used as it is.
        var handle = NativeLibraries.OpenGlobal("training on several GPUs", NativeLibraries.Loaded("libnccl") ?? Library, Library, "libnccl.so");
        T F<T>(string symbol) where T : Delegate => NativeLibraries.Function<T>(handle, Library, symbol);
        // libtorch's CUDA build carries its own libcudart (often under a hashed name): use the copy already loaded.
        var cudart = NativeLibraries.Loaded("libcudart") ?? "libcudart.so.12";
        var cuda = NativeLibraries.OpenGlobal("training on several GPUs", cudart, "libcudart.so");
        return new NcclNative
        {
            GetUniqueId = F<GetUniqueIdFn>("ncclGetUniqueId"), CommInitRank = F<CommInitRankFn>("ncclCommInitRank"),
            AllReduce = F<AllReduceFn>("ncclAllReduce"), Broadcast = F<BroadcastFn>("ncclBroadcast"), AllGather = F<AllGatherFn>("ncclAllGather"),
            CommAbort = F<CommFn>("ncclCommAbort"), CommDestroy = F<CommFn>("ncclCommDestroy"),
            CommGetAsyncError = F<AsyncErrorFn>("ncclCommGetAsyncError"), ErrorString = F<ErrorStringFn>("ncclGetErrorString"),
            CudaSetDevice = NativeLibraries.Function<SetDeviceFn>(cuda, Path.GetFileName(cudart), "cudaSetDevice"),
        };
    });

    /// <summary>The bindings, loaded on first use; a missing library or symbol is one <see cref="ByolAException"/> line.</summary>
    public static NcclNative Get() => loaded.Value;

    /// <summary>Throws one line naming the call and NCCL's own words when it returns an error.</summary>
    public void Check(int result, string call)
    {
        if (result != 0) throw new ByolAException($"{call} failed: {Marshal.PtrToStringAnsi(ErrorString(result)) ?? $"NCCL error {result}"}");
    }
}
