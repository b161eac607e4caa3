using static TorchSharp.torch;

namespace ByolA.Probe;

/// <summary>
/// The weights of the best validation epoch so far, as the probe and fine-tuning keep them: copies taken when an
/// epoch's score beats the kept one, put back into the model at the end. Disposing frees the copies.
/// </summary>
internal sealed class BestEpoch : IDisposable
{
    List<Tensor>? weights;

    /// <summary>The kept epoch's validation score (−∞ before any).</summary>
    public double Score { get; private set; } = double.NegativeInfinity;

    /// <summary>The kept epoch, 1-based (0 before any).</summary>
    public int Epoch { get; private set; }

    /// <summary>The kept copies, in the order of the state they were taken from; empty before any.</summary>
    public IReadOnlyList<Tensor> Weights => weights ?? [];

    public bool Any => weights != null;

    /// <summary>
    /// Keeps a copy of <paramref name="state"/> when <paramref name="score"/> is higher than the kept one, or equal to it
    /// with <paramref name="replaceTies"/> (the probe keeps the later of tied epochs; SPEC §10 the first). Returns whether it did.
    /// </summary>
    public bool Offer(double score, int epoch, IEnumerable<Tensor> state, bool replaceTies)
    {
        if (!(score > Score || (replaceTies && score == Score))) return false;
        Set(score, epoch, state.Select(t => t.detach().clone()));
        return true;
    }

    /// <summary>Takes over copies saved earlier (a checkpoint's) as the kept epoch.</summary>
    public void Set(double score, int epoch, IEnumerable<Tensor> copies)
    {
        Free();
        weights = copies.Select(t => t.DetachFromDisposeScope()).ToList();
        Score = score;
        Epoch = epoch;
    }

    /// <summary>Copies the kept weights into <paramref name="state"/> (the same tensors, in order, that were offered).</summary>
    public void CopyInto(IEnumerable<Tensor> state)
    {
        if (weights == null) return;
        using var noGrad = no_grad();
        foreach (var (t, kept) in state.Zip(weights)) t.copy_(kept);
    }

    void Free()
    {
        if (weights == null) return;
        foreach (var t in weights) t.Dispose();
        weights = null;
    }

    public void Dispose() => Free();
}
