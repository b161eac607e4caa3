using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ByolA.Distributed;
using ByolA.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ByolA.Learning;

/// <summary>
/// What one training run needs from its <see cref="IProcessGroup"/>: the gradients of an optimizer step averaged
/// over every rank and micro-batch in one flat buffer, rank 0's BatchNorm running statistics, the checks that the
/// ranks train the same thing on the same audio and still hold the same weights, and the epoch's metrics averaged.
/// Also used alone (one process) for gradient accumulation.
/// </summary>
internal sealed class DataParallel : IDisposable
{
    readonly IProcessGroup group;
    readonly Parameter[] parameters;
    readonly Tensor[] buffers;
    readonly long total;
    Tensor? flat;   // (P + 1) float32 on the parameters' device: every gradient, then the micro-batches that made them
    Tensor? one;    // 0-dim 1 on the same device: the divisor's floor

    /// <param name="learner">The learner whose online parameters are trained and whose float buffers are shared.</param>
    /// <param name="group">The ranks training together (<see cref="SingleProcess"/> for one).</param>
    public DataParallel(ByolLearner learner, IProcessGroup group) : this(learner.OnlineParameters(), learner.buffers(), group) { }

    /// <param name="trained">The parameters the optimizer steps (their gradients are averaged).</param>
    /// <param name="buffers">The module's buffers; the float32 ones (BatchNorm's running statistics) are shared from rank 0.</param>
    /// <param name="group">The ranks training together.</param>
    public DataParallel(IEnumerable<Parameter> trained, IEnumerable<Tensor> buffers, IProcessGroup group)
    {
        this.group = group;
        parameters = trained.ToArray();
        this.buffers = buffers.Where(b => b.dtype == ScalarType.Float32).ToArray();
        total = parameters.Sum(p => p.numel());
        if (parameters.Length == 0) throw new ArgumentException("no parameters to train", nameof(trained));
    }

    public IProcessGroup Group => group;

    /// <summary>Online parameters (floats) whose gradients one step exchanges: the per-step all-reduce volume is 4 × this bytes.</summary>
    public long ParameterCount => total;

    /// <summary>
    /// Replaces each online parameter's gradient — the sum of the backward passes of this rank's micro-batches since
    /// the optimizer's <c>zero_grad</c> — with the mean over every rank's micro-batches: one sum of
    /// (gradients…, <paramref name="contributed"/>) across ranks, then a division by the summed count (at least 1), so a
    /// micro-batch a rank had to skip (unreadable files) counts nowhere. Each micro-batch's loss is a batch mean, so
    /// with equal micro-batches this is the gradient of the loss over the whole global batch.
    /// </summary>
    public void AverageGradients(int contributed, string what)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = parameters[0].device;
        flat ??= zeros(total + 1, ScalarType.Float32, device).DetachFromDisposeScope();
        one ??= ones(1, ScalarType.Float32, device).DetachFromDisposeScope();
        long offset = 0;
        foreach (var p in parameters)
        {
            long n = p.numel();
            var slot = flat.narrow(0, offset, n);
            if (p.grad is { } g) slot.copy_(g.reshape(n));
            else slot.zero_();
            offset += n;
        }
        using var k = new KeptScalars();
        flat.narrow(0, total, 1).fill_(k.Of((float)contributed));   // on the device: no host-to-device copy
        group.AllReduceSum(flat, what);
        var count = maximum(flat.narrow(0, total, 1), one);
        var mean = flat.narrow(0, 0, total).div(count);
        offset = 0;
        foreach (var p in parameters)
        {
            long n = p.numel();
            var part = mean.narrow(0, offset, n).view(p.shape);
            if (p.grad is { } g) g.copy_(part);
            else p.grad = part.clone().DetachFromDisposeScope();
            offset += n;
        }
    }

    /// <summary>
    /// Rank 0's BatchNorm running statistics on every rank (DDP's broadcast of buffers, here once an epoch): batch
    /// statistics stay per rank during the steps, as with DDP's default, and the saved model is rank 0's either way.
    /// </summary>
    public void BroadcastBuffers(string what)
    {
        if (group.WorldSize == 1 || buffers.Length == 0) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var packed = cat(buffers.Select(b => b.reshape(-1)).ToArray());
        group.Broadcast(packed, what);
        long offset = 0;
        foreach (var b in buffers)
        {
            b.copy_(packed.narrow(0, offset, b.numel()).view(b.shape));
            offset += b.numel();
        }
    }

    /// <summary>
    /// Two float64 sums over every parameter of the learner (online and target): of the values and of their
    /// squares. Ranks holding the same weights compute the same bits; one read from the device.
    /// </summary>
    public static double[] Checksum(ByolLearner learner)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var all = learner.parameters().Select(p => p.reshape(-1).to_type(ScalarType.Float64)).ToArray();
        var values = cat(all);
        using var host = stack([values.sum(), (values * values).sum()]).cpu();
        return host.data<double>().ToArray();
    }

    /// <summary>
    /// Stops every rank together, with the same line, when a rank's weights differ from rank 0's (the ranks no longer
    /// train one model); before anything of the epoch is written.
    /// </summary>
    public void RequireSameWeights(ByolLearner learner, string when)
    {
        if (group.WorldSize == 1) return;
        var mine = Checksum(learner);
        var all = group.AllGather(mine.Select(BitConverter.DoubleToInt64Bits).ToArray(), $"the weights' checksums {when}");
        var differing = Enumerable.Range(1, all.Length - 1).Where(r => !all[r].SequenceEqual(all[0])).ToList();
        if (differing.Count > 0)
            throw new ByolAException(string.Format(CultureInfo.InvariantCulture,
                "rank{0} {1} hold{2} weights that differ from rank 0's {3} (checksum {4:R} against {5:R}); the ranks no longer train one model, stopping before anything of it is written",
                differing.Count > 1 ? "s" : "", string.Join(", ", differing), differing.Count > 1 ? "" : "s", when,
                BitConverter.Int64BitsToDouble(all[differing[0]][0]), BitConverter.Int64BitsToDouble(all[0][0])));
    }

    /// <summary>
    /// Stops every rank with one line naming the ranks whose run settings or audio differ from rank 0's, before any
    /// training: <paramref name="settings"/> and <paramref name="audio"/> are hashed here, the hashes and the file count
    /// compared across ranks.
    /// </summary>
    public void RequireSameRun(string settings, IEnumerable<string> audio, int fileCount)
    {
        if (group.WorldSize == 1) return;
        long Hash(string text) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0);
        var all = group.AllGather([Hash(settings), Hash(string.Join("\n", audio)), fileCount], "the other ranks' settings at start");
        var problems = new List<string>();
        for (int r = 1; r < all.Length; r++)
        {
            if (all[r][0] != all[0][0]) problems.Add($"rank {r} was started with other settings than rank 0 (config, batch, learning rate, epochs, accumulation, precision or checkpoint)");
            if (all[r][2] != all[0][2]) problems.Add($"rank {r} found {all[r][2]} training files, rank 0 {all[0][2]}");
            else if (all[r][1] != all[0][1]) problems.Add($"rank {r} sees other audio than rank 0 (file names or sizes differ)");
        }
        if (problems.Count > 0) throw new ByolAException("the ranks do not agree on what to train: " + string.Join("; ", problems) + "; start every rank with the same command, config and audio");
    }

    /// <summary>Every rank's values, indexed by rank (doubles carried as their bits).</summary>
    public double[][] Gather(double[] values, string what) =>
        group.AllGather(values.Select(BitConverter.DoubleToInt64Bits).ToArray(), what)
            .Select(r => r.Select(BitConverter.Int64BitsToDouble).ToArray()).ToArray();

    public void Dispose()
    {
        flat?.Dispose();
        one?.Dispose();
        (flat, one) = (null, null);
    }
}
