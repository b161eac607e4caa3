using System.Diagnostics;
using ByolA.Data;

namespace ByolA.Distributed;

/// <summary>
/// The rendezvous for NCCL when no MPI started the ranks (torchrun-style RANK/WORLD_SIZE, or srun without PMI): a
/// file on storage every rank sees, named by the user. Rank 0 writes NCCL's unique id into it (whole, through
/// <see cref="AtomicFile"/>), tagged with the launcher's run id; the other ranks wait for a file with their run's tag.
/// Rank 0 removes it once every rank has joined the communicator.
/// </summary>
internal static class FileStore
{
    /// <summary>The launcher's id of this run (torchrun's, Slurm's job and step, or the rendezvous address), to tell a stale file from this run's.</summary>
    public static string RunTag()
    {
        string? E(string n) => Environment.GetEnvironmentVariable(n) is { Length: > 0 } v ? v : null;
        return E("TORCHELASTIC_RUN_ID") ?? (E("SLURM_JOB_ID") is { } job ? $"slurm-{job}.{E("SLURM_STEP_ID") ?? "0"}" : null)
            ?? (E("MASTER_ADDR") is { } a ? $"{a}:{E("MASTER_PORT")}" : "run");
    }

    /// <summary>Rank 0: writes <paramref name="id"/> for the others.</summary>
    public static void Publish(string path, byte[] id)
    {
        AtomicFile.Write(path, s =>
        {
            using var w = new StreamWriter(s, leaveOpen: true);
            w.WriteLine(RunTag());
            w.WriteLine(Convert.ToBase64String(id));
        });
    }

    /// <summary>Ranks above 0: waits up to <paramref name="timeout"/> for rank 0's id of this run.</summary>
    public static byte[] Read(string path, int rank, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var tag = RunTag();
        while (true)
        {
            try
            {
                var lines = File.ReadAllLines(path);
                if (lines.Length >= 2 && lines[0] == tag) return Convert.FromBase64String(lines[1]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
            if (clock.Elapsed > timeout)
                throw new ByolAException($"rank {rank}: {path}: rank 0 did not publish the NCCL id of run {tag} within {timeout.TotalSeconds:0.#} s; " +
                                         "the store file must be on storage every rank sees, fresh for each run");
            Thread.Sleep(50);
        }
    }

    /// <summary>Rank 0, once every rank has joined: removes the file (a failure to is no reason to stop training).</summary>
    public static void Remove(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
