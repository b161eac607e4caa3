using System.Globalization;

namespace ByolA.Learning;

/// <summary>
/// Failure injection for the multi-rank tests, read once from the environment and inert without it:
/// <c>BYOLA_TEST_RANK_EXIT=RANK:EPOCH:STEP</c> makes that rank kill itself (SIGKILL) before that step, as a crashed
/// process dies; <c>BYOLA_TEST_RANK_HANG=RANK:EPOCH:STEP</c> makes it stop answering there, as a hung one would.
/// </summary>
internal static class DistributedTestHooks
{
    static readonly (int Rank, int Epoch, int Step)? exit = Parse("BYOLA_TEST_RANK_EXIT");
    static readonly (int Rank, int Epoch, int Step)? hang = Parse("BYOLA_TEST_RANK_HANG");

    static (int, int, int)? Parse(string name)
    {
        var parts = Environment.GetEnvironmentVariable(name)?.Split(':');
        if (parts is not { Length: 3 }) return null;
        var n = parts.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : -1).ToArray();
        return n.All(v => v >= 0) ? (n[0], n[1], n[2]) : null;
    }

    /// <summary>Called by every rank before each step's micro-batches (1-based step).</summary>
    public static void AtStep(int rank, int epoch, int step)
    {
        if (exit == (rank, epoch, step)) System.Diagnostics.Process.GetCurrentProcess().Kill();
        if (hang == (rank, epoch, step)) Thread.Sleep(Timeout.Infinite);
    }
}
