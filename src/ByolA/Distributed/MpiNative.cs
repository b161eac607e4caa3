using System.Runtime.InteropServices;

namespace ByolA.Distributed;

/// <summary>
/// Thin bindings to Open MPI's C library (libmpi.so.40: Debian's <c>openmpi-bin libopenmpi-dev</c> or a cluster's
/// own), found once per process. Open MPI's predefined handles — <c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>,
/// <c>MPI_BYTE</c>, <c>MPI_INT64_T</c>, <c>MPI_SUM</c> — are the addresses of exported globals
/// (<c>ompi_mpi_comm_world</c>, …), resolved like the functions; <c>MPI_IN_PLACE</c> is <c>(void*)1</c> and
/// <c>MPI_STATUS_IGNORE</c> is null. Only non-blocking collectives are bound: <see cref="MpiProcessGroup"/> waits on
/// them with <c>MPI_Test</c>, which is what bounds a wait; a rank whose wait ran out tells the others with
/// <c>MPI_Isend</c> and listens with <c>MPI_Iprobe</c>, to name the ranks that never came.
/// </summary>
internal sealed class MpiNative
{
    public const string Library = "libmpi.so.40";
    public const int ThreadSerialized = 2;
    public static readonly IntPtr InPlace = 1;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int InitializedFn(out int flag);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int InitThreadFn(IntPtr argc, IntPtr argv, int required, out int provided);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int VoidFn();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int CommIntFn(IntPtr comm, out int value);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int IallreduceFn(IntPtr send, IntPtr recv, int count, IntPtr type, IntPtr op, IntPtr comm, out IntPtr request);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int IbcastFn(IntPtr buffer, int count, IntPtr type, int root, IntPtr comm, out IntPtr request);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int IallgatherFn(IntPtr send, int sendCount, IntPtr sendType, IntPtr recv, int recvCount, IntPtr recvType, IntPtr comm, out IntPtr request);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int TestFn(ref IntPtr request, out int flag, IntPtr status);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int AbortFn(IntPtr comm, int code);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int SetErrhandlerFn(IntPtr comm, IntPtr handler);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int IsendFn(IntPtr buffer, int count, IntPtr type, int dest, int tag, IntPtr comm, out IntPtr request);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int IprobeFn(int source, int tag, IntPtr comm, out int flag, IntPtr status);

    public required InitializedFn Initialized { get; init; }
    public required InitializedFn Finalized { get; init; }
    public required InitThreadFn InitThread { get; init; }
    public required VoidFn FinalizeCall { get; init; }
    public required CommIntFn CommRank { get; init; }
    public required CommIntFn CommSize { get; init; }
    public required IallreduceFn Iallreduce { get; init; }
    public required IbcastFn Ibcast { get; init; }
    public required IallgatherFn Iallgather { get; init; }
    public required TestFn Test { get; init; }
    public required AbortFn Abort { get; init; }
    public required IsendFn Isend { get; init; }
    public required SetErrhandlerFn CommSetErrhandler { get; init; }
    public required IprobeFn Iprobe { get; init; }
    public required IntPtr CommWorld { get; init; }
    public required IntPtr Float { get; init; }
    public required IntPtr Byte { get; init; }
    public required IntPtr Int64 { get; init; }
    public required IntPtr Sum { get; init; }
    public required IntPtr ErrorsReturn { get; init; }

    static readonly Lazy<MpiNative> loaded = new(() =>
    {
        var handle = NativeLibraries.OpenGlobal("training under MPI (mpirun, or srun with PMI)", Library, "libmpi.so");
        T F<T>(string symbol) where T : Delegate => NativeLibraries.Function<T>(handle, Library, symbol);
        IntPtr G(string symbol) => NativeLibraries.Address(handle, Library, symbol);
        return new MpiNative
        {
            Initialized = F<InitializedFn>("MPI_Initialized"), Finalized = F<InitializedFn>("MPI_Finalized"),
            InitThread = F<InitThreadFn>("MPI_Init_thread"), FinalizeCall = F<VoidFn>("MPI_Finalize"),
            CommRank = F<CommIntFn>("MPI_Comm_rank"), CommSize = F<CommIntFn>("MPI_Comm_size"),
            Iallreduce = F<IallreduceFn>("MPI_Iallreduce"), Ibcast = F<IbcastFn>("MPI_Ibcast"), Iallgather = F<IallgatherFn>("MPI_Iallgather"),
            Test = F<TestFn>("MPI_Test"), Abort = F<AbortFn>("MPI_Abort"), Isend = F<IsendFn>("MPI_Isend"), Iprobe = F<IprobeFn>("MPI_Iprobe"),
            CommSetErrhandler = F<SetErrhandlerFn>("MPI_Comm_set_errhandler"), ErrorsReturn = G("ompi_mpi_errors_return"),
            CommWorld = G("ompi_mpi_comm_world"), Float = G("ompi_mpi_float"), Byte = G("ompi_mpi_byte"), Int64 = G("ompi_mpi_int64_t"),
            Sum = G("ompi_mpi_op_sum"),
        };
    });

    /// <summary>The bindings, loaded on first use; a missing library or symbol is one <see cref="ByolAException"/> line.</summary>
    public static MpiNative Get() => loaded.Value;

    /// <summary>Throws one line naming the call when an MPI function returns an error code.</summary>
    public static void Check(int code, string call)
    {
        if (code != 0) throw new ByolAException($"{call} failed (MPI error {code})");
    }
}
