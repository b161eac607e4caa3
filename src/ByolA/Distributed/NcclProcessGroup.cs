using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Distributed;

/// <summary>
/// GPU collectives through NCCL on this rank's GPU (cuda:<see cref="LocalRank"/>), on the tensors' own memory.
/// The communicator is bootstrapped from NCCL's unique id, which rank 0 makes and shares through MPI (when MPI
/// started the ranks; MPI then also carries the small host-side exchanges) or a <see cref="FileStore"/>.
/// <para>
/// Waits are bounded the way NCCL prescribes: the host waits for the collective by reading one value of its result,
/// and a timer that fires first calls <c>ncclCommAbort</c> from its own thread, which ends the collective's kernels;
/// the wait then fails with a line naming the rank and what it waited for.
/// </para>
/// </summary>
internal sealed class NcclProcessGroup : IProcessGroup
{
    readonly NcclNative nccl;
    readonly IntPtr comm;
    readonly Device device;
    readonly TimeSpan timeout;
    readonly IProcessGroup? control;   // MPI, when it started the ranks: the host-side exchanges go through it
    int aborted;
    bool complete, disposed;

    NcclProcessGroup(NcclNative nccl, IntPtr comm, int rank, int worldSize, int localRank, TimeSpan timeout, IProcessGroup? control)
    {
        (this.nccl, this.comm, Rank, WorldSize, LocalRank, this.timeout, this.control) = (nccl, comm, rank, worldSize, localRank, timeout, control);
        device = new Device(DeviceType.CUDA, localRank);
    }

    /// <summary>
    /// Joins the communicator of <paramref name="worldSize"/> ranks on cuda:<paramref name="localRank"/>; the unique id
    /// travels through <paramref name="control"/> when given, else through the store file <paramref name="store"/>.
    /// </summary>
    public static NcclProcessGroup Open(int rank, int worldSize, int localRank, TimeSpan timeout, IProcessGroup? control, string? store)
    {
        if (!cuda.is_available() || localRank >= cuda.device_count())
            throw new ByolAException($"rank {rank}: local rank {localRank} needs GPU {localRank}, but this machine shows {(cuda.is_available() ? cuda.device_count() : 0)} CUDA device(s)");
        using (zeros(1, device: new Device(DeviceType.CUDA, localRank))) { }   // CUDA (and libtorch's libcudart) is up
        var nccl = NcclNative.Get();
        if (nccl.CudaSetDevice(localRank) != 0) throw new ByolAException($"rank {rank}: cudaSetDevice({localRank}) failed");
        var id = new NcclNative.UniqueId { Bytes = new byte[128] };
        if (rank == 0) nccl.Check(nccl.GetUniqueId(ref id), "ncclGetUniqueId");
        if (control != null) id.Bytes = control.Broadcast(id.Bytes, "the NCCL id from rank 0");
        else if (store is null) throw new ByolAException("NCCL without MPI needs a store file every rank sees to share its id");
        else if (rank == 0) FileStore.Publish(store, id.Bytes);
        else id.Bytes = FileStore.Read(store, rank, timeout);
        if (id.Bytes.Length != 128) throw new ByolAException($"rank {rank}: the NCCL id from rank 0 has {id.Bytes.Length} bytes, not 128");
        nccl.Check(nccl.CommInitRank(out var comm, worldSize, id, rank), $"rank {rank}: ncclCommInitRank");
        var group = new NcclProcessGroup(nccl, comm, rank, worldSize, localRank, timeout, control);
        if (store != null && control is null)
        {
            group.AllGather([rank], "every rank joining NCCL");
            if (rank == 0) FileStore.Remove(store);
        }
        return group;
    }

    public int Rank { get; }
    public int WorldSize { get; }
    public int LocalRank { get; }
    public string Kind => "NCCL";

    public void AllReduceSum(Tensor flat, string what)
    {
        var address = Require(flat, ScalarType.Float32);
        nccl.Check(nccl.AllReduce(address, address, (nuint)flat.numel(), NcclNative.Float32, NcclNative.Sum, comm, IntPtr.Zero), "ncclAllReduce");
        WaitFor(flat, what);
    }

    public void Broadcast(Tensor flat, string what)
    {
        var address = Require(flat, ScalarType.Float32);
        nccl.Check(nccl.Broadcast(address, address, (nuint)flat.numel(), NcclNative.Float32, 0, comm, IntPtr.Zero), "ncclBroadcast");
        WaitFor(flat, what);
    }

    public byte[] Broadcast(byte[] bytes, string what)
    {
        if (control != null) return control.Broadcast(bytes, what);
        using var length = tensor(new[] { bytes.LongLength }, device: device);
        var lengthAddress = Require(length, ScalarType.Int64);
        nccl.Check(nccl.Broadcast(lengthAddress, lengthAddress, 1, NcclNative.Int64, 0, comm, IntPtr.Zero), "ncclBroadcast");
        long n = Wait(length, what).item<long>();
        using var buffer = Rank == 0 ? tensor(bytes, device: device) : zeros(n, ScalarType.Byte, device);
        var address = Require(buffer, ScalarType.Byte);
        nccl.Check(nccl.Broadcast(address, address, (nuint)n, NcclNative.Uint8, 0, comm, IntPtr.Zero), "ncclBroadcast");
        using var host = Wait(buffer, what);
        return host.data<byte>().ToArray();
    }

    public long[][] AllGather(long[] values, string what)
    {
        if (control != null) return control.AllGather(values, what);
        using var send = tensor(values, device: device);
        using var receive = zeros(values.Length * (long)WorldSize, ScalarType.Int64, device);
        nccl.Check(nccl.AllGather(Require(send, ScalarType.Int64), Require(receive, ScalarType.Int64), (nuint)values.Length, NcclNative.Int64, comm, IntPtr.Zero), "ncclAllGather");
        using var host = Wait(receive, what);
        return host.data<long>().ToArray().Chunk(Math.Max(1, values.Length)).Take(WorldSize).ToArray();
    }

    IntPtr Require(Tensor t, ScalarType dtype)
    {
        if (t.device_type != DeviceType.CUDA || t.device_index != device.index || t.dtype != dtype)
            throw new ArgumentException($"NCCL collectives here take {dtype} tensors on {device}", nameof(t));
        return NativeLibraries.DataAddress(t);
    }

    /// <summary>Waits for the collective queued on a large tensor by reading back one of its values.</summary>
    void WaitFor(Tensor flat, string what)
    {
        if (flat.numel() == 0) return;
        using var last = flat.narrow(0, flat.numel() - 1, 1);
        using var host = Wait(last, what);
    }

    /// <summary>
    /// Waits for the collective queued on <paramref name="result"/> by copying it to the host (the caller disposes the
    /// copy); a timer aborts the communicator if that takes longer than the timeout.
    /// </summary>
    Tensor Wait(Tensor result, string what)
    {
        Tensor? host = null;
        using (new Timer(_ =>
               {
                   if (Interlocked.Exchange(ref aborted, 1) == 0) nccl.CommAbort(comm);
               }, null, timeout, Timeout.InfiniteTimeSpan))
        {
            try { host = result.cpu(); }
            catch (Exception) when (Volatile.Read(ref aborted) == 1) { }
        }
        if (Volatile.Read(ref aborted) == 1)
        {
            host?.Dispose();
            throw ProcessGroups.Timeout(Rank, WorldSize, what, timeout);
        }
        nccl.Check(nccl.CommGetAsyncError(comm, out int error), "ncclCommGetAsyncError");
        if (error != 0 && error != 7) nccl.Check(error, $"rank {Rank}: {what}");   // 7: ncclInProgress, not a failure
        return host!;
    }

    public void Complete()
    {
        complete = true;
        control?.Complete();
    }

    /// <summary>After <see cref="Complete"/>: destroys the communicator; after a failure: aborts it (no waiting for other ranks).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (Interlocked.Exchange(ref aborted, 1) == 0)
        {
            if (complete) nccl.CommDestroy(comm);
            else nccl.CommAbort(comm);
        }
        control?.Dispose();
    }
}
