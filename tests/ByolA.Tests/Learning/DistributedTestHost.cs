using ByolA.Distributed;
using ByolA.Learning;
using static TorchSharp.torch;

namespace ByolA.Tests.Learning;

/// <summary>
/// One rank of a multi-rank check, started by mpirun from this assembly's entry point (<see cref="Program"/>):
/// <c>gradients OUT</c> — every rank takes its contiguous slice of <see cref="DistributedFixture"/>'s global batch,
/// runs the backward pass, averages the gradients through <see cref="DataParallel"/> over MPI and writes them
/// (OUT/grad-RANK.bin); then takes the Adam and EMA step and writes the weights' checksum (OUT/sum-RANK.txt); then
/// rank 1 changes one weight and every rank writes what the weight check said (OUT/check-RANK.txt). Also
/// <c>all-reduce FLOATS TIMES</c>, a timing for README.
/// </summary>
internal static class DistributedTestHost
{
    public static int Run(string[] args)
    {
        if (args is ["all-reduce", var floats, var times]) return TimeAllReduce(long.Parse(floats), int.Parse(times));
        if (args is not ["gradients", var outDir]) return 2;
        set_num_threads(1);
        using var group = MpiProcessGroup.Open(TimeSpan.FromSeconds(60));
        // .NET turns a null dereference (SIGSEGV) into an exception; MPI must not have taken the signal over.
        File.WriteAllText(Path.Combine(outDir, $"null-{group.Rank}.txt"), CatchNullReference());
        using var learner = DistributedFixture.Learner();
        var (a, b) = DistributedFixture.Views();
        int part = DistributedFixture.Batch / group.WorldSize, from = group.Rank * part;
        using var parallel = new DataParallel(learner, group);
        using var optimizer = learner.CreateOptimizer(1e-3);
        optimizer.zero_grad();
        learner.Backward(a[from..(from + part)], b[from..(from + part)]);
        parallel.AverageGradients(1, "the test's gradients");
        var grads = DistributedFixture.Gradients(learner.OnlineParameters());
        File.WriteAllBytes(Path.Combine(outDir, $"grad-{group.Rank}.bin"), grads.SelectMany(BitConverter.GetBytes).ToArray());
        learner.Update(optimizer);
        parallel.RequireSameWeights(learner, "after the step");
        File.WriteAllText(Path.Combine(outDir, $"sum-{group.Rank}.txt"), string.Join(" ", DataParallel.Checksum(learner).Select(v => v.ToString("R"))));
        if (group.Rank == 1)
            using (no_grad()) learner.OnlineParameters().First().add_(ones_like(learner.OnlineParameters().First()));
        string said;
        try { parallel.RequireSameWeights(learner, "after a change on rank 1"); said = "no difference found"; }
        catch (ByolAException e) { said = e.Message; }
        File.WriteAllText(Path.Combine(outDir, $"check-{group.Rank}.txt"), said);
        group.Complete();
        return 0;
    }

    static string CatchNullReference()
    {
        string? nothing = Environment.GetEnvironmentVariable("BYOLA_TEST_NO_SUCH_VARIABLE");
        try { return nothing!.Length.ToString(); }
        catch (NullReferenceException) { return "caught"; }
    }

    /// <summary>
    /// <c>all-reduce FLOATS TIMES</c> (for README's figure, not a test): times MPI's in-place sum of a float32 buffer of
    /// that size across the ranks, after one untimed warm-up, and rank 0 prints the mean milliseconds.
    /// </summary>
    static int TimeAllReduce(long floats, int times)
    {
        set_num_threads(1);
        using var group = MpiProcessGroup.Open(TimeSpan.FromSeconds(120));
        using var flat = ones(floats);
        group.AllReduceSum(flat, "warm-up");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < times; i++) group.AllReduceSum(flat, "timed sum");
        if (group.Rank == 0) Console.WriteLine($"all-reduce of {floats} floats over {group.WorldSize} ranks: {clock.Elapsed.TotalMilliseconds / times:F1} ms");
        group.Complete();
        return 0;
    }
}
