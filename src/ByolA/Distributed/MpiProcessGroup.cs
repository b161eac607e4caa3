using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Distributed;

/// <summary>
/// The ranks of an MPI job (<c>mpirun -np N</c>, or <c>srun</c> with PMI) on <c>MPI_COMM_WORLD</c>: CPU collectives
/// on the tensors' own memory (no copies), and the small exchanges (bytes, fingerprints) for
/// <see cref="NcclProcessGroup"/> on GPUs. Each collective is started non-blocking and waited on with
/// <c>MPI_Test</c> up to the timeout; past it the wait fails with a line naming the rank and the wait, the rank exits
/// without <c>MPI_Finalize</c>, and mpirun stops the others.
/// </summary>
internal sealed class MpiProcessGroup : IProcessGroup
{
    readonly MpiNative mpi;
    readonly TimeSpan timeout;
    bool complete, disposed;

    MpiProcessGroup(MpiNative mpi, int rank, int worldSize, int localRank, TimeSpan timeout)
    {
        (this.mpi, Rank, WorldSize, LocalRank, this.timeout) = (mpi, rank, worldSize, localRank, timeout);
    }

    /// <summary>Initialises MPI (once per process) and reads this rank's place in <c>MPI_COMM_WORLD</c>.</summary>
    public static MpiProcessGroup Open(TimeSpan timeout)
    {
        // Open MPI would otherwise take over SIGSEGV/SIGBUS, which .NET's runtime itself handles (null references).
        NativeLibraries.SetIfUnset("OMPI_MCA_opal_signal", "");
        var mpi = MpiNative.Get();
        MpiNative.Check(mpi.Initialized(out int initialized), "MPI_Initialized");
        if (initialized == 0) MpiNative.Check(mpi.InitThread(IntPtr.Zero, IntPtr.Zero, MpiNative.ThreadSerialized, out _), "MPI_Init_thread");
        // A failed call (a peer gone) returns its error to us, which stops this rank with a line naming the call,
        // instead of MPI's default of aborting the job without a word from us.
        MpiNative.Check(mpi.CommSetErrhandler(mpi.CommWorld, mpi.ErrorsReturn), "MPI_Comm_set_errhandler");
        MpiNative.Check(mpi.CommRank(mpi.CommWorld, out int rank), "MPI_Comm_rank");
        MpiNative.Check(mpi.CommSize(mpi.CommWorld, out int size), "MPI_Comm_size");
        return new MpiProcessGroup(mpi, rank, size, ProcessGroups.LocalRankFromEnvironment() ?? 0, timeout);
    }

    public int Rank { get; }
    public int WorldSize { get; }
    public int LocalRank { get; }
    public string Kind => "MPI";

    public void AllReduceSum(Tensor flat, string what)
    {
        var address = Require(flat);
        MpiNative.Check(mpi.Iallreduce(MpiNative.InPlace, address, (int)flat.numel(), mpi.Float, mpi.Sum, mpi.CommWorld, out var request), "MPI_Iallreduce");
        Wait(request, what);
    }

    public void Broadcast(Tensor flat, string what)
    {
        var address = Require(flat);
        MpiNative.Check(mpi.Ibcast(address, (int)flat.numel(), mpi.Float, 0, mpi.CommWorld, out var request), "MPI_Ibcast");
        Wait(request, what);
    }

    public byte[] Broadcast(byte[] bytes, string what)
    {
        var length = new long[] { bytes.LongLength };
        Pinned(length, p =>
        {
            MpiNative.Check(mpi.Ibcast(p, 1, mpi.Int64, 0, mpi.CommWorld, out var request), "MPI_Ibcast");
            Wait(request, what);
        });
        if (length[0] > int.MaxValue) throw new ByolAException($"{what}: {length[0]} bytes are more than one broadcast carries");
        var result = Rank == 0 ? bytes : new byte[length[0]];
        Pinned(result, p =>
        {
            MpiNative.Check(mpi.Ibcast(p, result.Length, mpi.Byte, 0, mpi.CommWorld, out var request), "MPI_Ibcast");
            Wait(request, what);
        });
        return result;
    }

    public long[][] AllGather(long[] values, string what)
    {
        var all = new long[values.Length * WorldSize];
        Pinned(values, send => Pinned(all, receive =>
        {
            MpiNative.Check(mpi.Iallgather(send, values.Length, mpi.Int64, receive, values.Length, mpi.Int64, mpi.CommWorld, out var request), "MPI_Iallgather");
            Wait(request, what);
        }));
        return all.Chunk(Math.Max(1, values.Length)).Take(WorldSize).ToArray();
    }

    static IntPtr Require(Tensor flat)
    {
        if (flat.device_type != DeviceType.CPU || flat.dtype != ScalarType.Float32)
            throw new ArgumentException("MPI collectives take float32 tensors on the CPU", nameof(flat));
        return NativeLibraries.DataAddress(flat);
    }

    static void Pinned<T>(T[] array, Action<IntPtr> use) where T : struct
    {
        var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        try { use(handle.AddrOfPinnedObject()); }
        finally { handle.Free(); }
    }

    /// <summary>
    /// Tests the request until it completes or <see cref="timeout"/> passes. MPI makes progress inside MPI_Test, so the
    /// first tests follow each other closely; a long wait (another rank still computing) yields the core between them.
    /// </summary>
    void Wait(IntPtr request, string what)
    {
        var clock = Stopwatch.StartNew();
        for (long tests = 0; ; tests++)
        {
            MpiNative.Check(mpi.Test(ref request, out int done, IntPtr.Zero), "MPI_Test");
            if (done != 0) return;
            if (clock.Elapsed > timeout) throw ProcessGroups.Timeout(Rank, WorldSize, what, timeout, Absent());
            if (tests > 10_000) Thread.Sleep(1);
            else Thread.Yield();
        }
    }

    /// <summary>The tag of the notices ranks whose wait ran out send each other; no collective uses point-to-point tags.</summary>
    const int StuckTag = 27027;

    /// <summary>One byte every notice sends, pinned for the life of the process (a notice to a dead rank never completes).</summary>
    static readonly GCHandle notice = GCHandle.Alloc(new byte[1], GCHandleType.Pinned);

    /// <summary>
    /// After this rank's wait ran out: tells every other rank it is stuck at the same exchange, then listens for a
    /// short while for the others' notices. Ranks waiting at the exchange time out at about the same moment and hear
    /// each other; the ranks never heard from did not reach it — they died or hang. Returns those (empty when every
    /// rank was waiting).
    /// </summary>
    IReadOnlyList<int> Absent()
    {
        var others = Enumerable.Range(0, WorldSize).Where(r => r != Rank).ToList();
        foreach (var r in others) mpi.Isend(notice.AddrOfPinnedObject(), 1, mpi.Byte, r, StuckTag, mpi.CommWorld, out _);
        var heard = new HashSet<int>();
        var grace = TimeSpan.FromSeconds(Math.Clamp(timeout.TotalSeconds / 4, 1, 10));
        var clock = Stopwatch.StartNew();
        while (heard.Count < others.Count && clock.Elapsed < grace)
        {
            foreach (var r in others)
                if (!heard.Contains(r) && mpi.Iprobe(r, StuckTag, mpi.CommWorld, out int flag, IntPtr.Zero) == 0 && flag != 0) heard.Add(r);
            Thread.Sleep(10);
        }
        return others.Where(r => !heard.Contains(r)).ToList();
    }

    public void Complete() => complete = true;

    /// <summary>
    /// After <see cref="Complete"/>: MPI_Finalize with the other ranks. After a failure: nothing, so this rank never
    /// waits for ranks blocked in a collective; its exit (without finalize) makes mpirun stop them.
    /// </summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (!complete) return;
        MpiNative.Check(mpi.Finalized(out int finalized), "MPI_Finalized");
        if (finalized == 0) mpi.FinalizeCall();
    }
}
