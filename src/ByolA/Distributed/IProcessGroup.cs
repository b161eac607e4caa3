using static TorchSharp.torch;

namespace ByolA.Distributed;

/// <summary>
/// The processes of one data-parallel run and the collectives training needs between them. Every rank calls the same
/// collectives in the same order; each names what it waits for (<c>what</c>), so a collective that does not finish
/// within the group's timeout fails with one line naming the rank, the wait and the timeout instead of hanging.
/// <para>
/// <see cref="SingleProcess"/> is one process (every call returns at once, nothing native is loaded),
/// <see cref="MpiProcessGroup"/> runs CPU collectives through MPI, <see cref="NcclProcessGroup"/> GPU collectives
/// through NCCL; <see cref="ProcessGroups.Open"/> chooses.
/// </para>
/// </summary>
internal interface IProcessGroup : IDisposable
{
    /// <summary>This process's number, 0 ≤ rank &lt; <see cref="WorldSize"/>; rank 0 writes the run's files.</summary>
    int Rank { get; }

    /// <summary>How many processes train together.</summary>
    int WorldSize { get; }

    /// <summary>This process's number among those on its machine: the GPU it trains on.</summary>
    int LocalRank { get; }

    /// <summary>What carries the collectives, for messages: "single process", "MPI", "NCCL".</summary>
    string Kind { get; }

    /// <summary>
    /// Sums a contiguous float32 tensor (N) across ranks, in place: on the CPU for MPI, on this rank's GPU for NCCL.
    /// </summary>
    void AllReduceSum(Tensor flat, string what);

    /// <summary>Copies rank 0's values of a contiguous float32 tensor (N) into every rank's, in place.</summary>
    void Broadcast(Tensor flat, string what);

    /// <summary>Rank 0's <paramref name="bytes"/> on every rank (what the other ranks pass is ignored).</summary>
    byte[] Broadcast(byte[] bytes, string what);

    /// <summary>Every rank's <paramref name="values"/>, indexed by rank; every rank passes the same number of values.</summary>
    long[][] AllGather(long[] values, string what);

    /// <summary>
    /// Marks the run as finished on this rank: <see cref="IDisposable.Dispose"/> then closes the group with the
    /// others (MPI_Finalize waits for every rank). Without it (a failure) Dispose leaves at once, so a failing rank
    /// never waits for ranks that are still inside a collective; its exit stops them (mpirun) or their timeouts do.
    /// </summary>
    void Complete();
}
