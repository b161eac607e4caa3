using System.Globalization;
using TorchSharp;

namespace ByolA.Distributed;

/// <summary>
/// The one place that decides how this process trains with others, from how it was started:
/// <list type="bullet">
/// <item>MPI started it (<c>mpirun</c>: <c>OMPI_COMM_WORLD_*</c>; <c>srun</c> with PMIx or PMI-2: <c>PMIX_RANK</c>,
/// <c>PMI_RANK</c>): rank and world size from MPI; collectives through MPI on the CPU, through NCCL (its id shared
/// by MPI) on GPUs;</item>
/// <item>the launcher's variables <c>RANK</c>, <c>WORLD_SIZE</c>, <c>LOCAL_RANK</c> (torchrun-style; Slurm's
/// <c>SLURM_PROCID</c>, <c>SLURM_STEP_NUM_TASKS</c>, <c>SLURM_LOCALID</c> inside an <c>srun</c> step without PMI): NCCL, its id shared
/// through the store file the user names; the CPU has no collectives without MPI and is refused;</item>
/// <item>otherwise, or a world of one: <see cref="SingleProcess"/>, today's path with nothing native loaded.</item>
/// </list>
/// </summary>
internal static class ProcessGroups
{
    /// <summary>The default bound on one collective's wait.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(300);

    /// <summary>
    /// Opens the group this process belongs to, for training on <paramref name="device"/>; <paramref name="store"/>
    /// names the rendezvous file when no MPI started the ranks (<paramref name="storeOption"/> names where it is set).
    /// </summary>
    public static IProcessGroup Open(DeviceType device, string? store, TimeSpan timeout, string storeOption)
    {
        if (StartedByMpi())
        {
            var mpi = MpiProcessGroup.Open(timeout);
            if (mpi.WorldSize == 1)
            {
                mpi.Complete();
                mpi.Dispose();
                return SingleProcess.Instance;
            }
            if (device != DeviceType.CUDA) return mpi;
            try { return NcclProcessGroup.Open(mpi.Rank, mpi.WorldSize, mpi.LocalRank, timeout, mpi, null); }
            catch { mpi.Dispose(); throw; }
        }
        // Slurm's task variables count only inside an srun step (SLURM_STEP_ID): a batch script's own shell also sees
        // SLURM_PROCID and SLURM_NTASKS, and a plain `byola train` there is one process.
        bool srun = Environment.GetEnvironmentVariable("SLURM_STEP_ID") != null;
        int? rank = Number("RANK") ?? (srun ? Number("SLURM_PROCID") : null);
        int? world = Number("WORLD_SIZE") ?? (srun ? Number("SLURM_STEP_NUM_TASKS") ?? Number("SLURM_NTASKS") : null);
        if (rank is null || world is null || world == 1) return SingleProcess.Instance;
        if (world < 1 || rank < 0 || rank >= world)
            throw new ByolAException($"the launcher says rank {rank} of {world} processes; a rank must be in [0, world size)");
        if (device != DeviceType.CUDA)
            throw new ByolAException($"rank {rank} of {world}: without MPI the ranks can only exchange gradients on GPUs (NCCL); " +
                                     "on the CPU start the ranks with mpirun (or srun with its PMIx plug-in)");
        if (string.IsNullOrWhiteSpace(store))
            throw new OptionException($"rank {rank} of {world} without MPI: {{0}} must name a file every rank sees, for the ranks to find each other", storeOption);
        return NcclProcessGroup.Open(rank.Value, world.Value, LocalRankFromEnvironment() ?? 0, timeout, null, store);
    }

    /// <summary>Whether an MPI launcher started this process (Open MPI's mpirun, or Slurm with PMIx/PMI-2).</summary>
    public static bool StartedByMpi() =>
        Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") != null || Environment.GetEnvironmentVariable("PMIX_RANK") != null ||
        Environment.GetEnvironmentVariable("PMI_RANK") != null;

    /// <summary>This process's number on its machine, as the launcher gives it (Open MPI, torchrun, Slurm, MPICH), or null.</summary>
    public static int? LocalRankFromEnvironment() =>
        Number("OMPI_COMM_WORLD_LOCAL_RANK") ?? Number("LOCAL_RANK") ?? Number("SLURM_LOCALID") ?? Number("MPI_LOCALRANKID") ?? Number("PMI_LOCAL_RANK");

    static int? Number(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>
    /// The one line for a collective that did not finish in time, naming the ranks that never reached it when they are
    /// known (<paramref name="absent"/>; null: not known).
    /// </summary>
    public static ByolAException Timeout(int rank, int world, string what, TimeSpan timeout, IReadOnlyList<int>? absent = null)
    {
        var who = absent switch
        {
            null => "another rank died or hangs",
            [] => "every rank was waiting for it (the network or a collective failed)",
            [var one] => $"rank {one} never reached it (it died or hangs)",
            _ => $"ranks {string.Join(", ", absent)} never reached it (they died or hang)",
        };
        return new(string.Format(CultureInfo.InvariantCulture,
            "rank {0} of {1}: waited {2:0.#} s for {3} and it did not finish: {4}; stopping (the last complete checkpoint stays)",
            rank, world, timeout.TotalSeconds, what, who));
    }
}
