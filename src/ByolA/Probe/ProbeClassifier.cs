using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Probe;

/// <summary>
/// A trained probe: the training set's <see cref="StandardScaler"/> followed by a <see cref="ProbeHead"/> (one linear
/// layer, or an MLP). Single-label probes score classes with softmax, multi-label probes each class with a sigmoid.
/// Tensors live on the device the probe was trained on; the head is in eval mode (no dropout).
/// </summary>
internal sealed class ProbeClassifier : IDisposable
{
    public StandardScaler Scaler { get; }

    public ProbeHead Head { get; }

    /// <summary>Hidden layer sizes (empty for a linear probe).</summary>
    public IReadOnlyList<int> Hidden { get; }

    /// <summary>True when trained with sigmoid outputs and binary cross-entropy on multi-hot targets.</summary>
    public bool MultiLabel { get; }

    /// <summary>(C, h) weights of the output layer ((C, d) for a linear probe).</summary>
    public Tensor Weight => Head.Layers[^1].weight!;

    /// <summary>(C) biases of the output layer.</summary>
    public Tensor Bias => Head.Layers[^1].bias!;

    /// <summary>Number of classes C.</summary>
    public int Classes => (int)Weight.shape[0];

    /// <summary>1-based epoch whose weights were kept.</summary>
    public int BestEpoch { get; }

    /// <summary>Epochs actually trained (fewer than the maximum when early stopping fired).</summary>
    public int EpochsRun { get; }

    /// <summary>Validation score of the kept weights — accuracy, or mAP when multi-label (NaN when trained without validation).</summary>
    public double ValidScore { get; }

    internal ProbeClassifier(StandardScaler scaler, ProbeHead head, IReadOnlyList<int> hidden, bool multiLabel, int bestEpoch, int epochsRun, double validScore)
    {
        Scaler = scaler;
        Head = head;
        Hidden = hidden;
        MultiLabel = multiLabel;
        BestEpoch = bestEpoch;
        EpochsRun = epochsRun;
        ValidScore = validScore;
        Head.eval();
        // The classifier owns its tensors: a dispose scope of the caller that trained it must not free them.
        Scaler.Mean.DetachFromDisposeScope();
        Scaler.Scale.DetachFromDisposeScope();
        foreach (var p in Head.parameters()) p.DetachFromDisposeScope();
    }

    /// <summary>(N, d) embeddings → (N, C) logits.</summary>
    public Tensor Logits(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var z = Scaler.Transform(x.to(Weight.dtype, Weight.device));
        return Head.forward(z).MoveToOuterDisposeScope();
    }

    /// <summary>(N, d) embeddings → (N, C) class probabilities: softmax over classes, or per-class sigmoid when multi-label.</summary>
    public Tensor Probabilities(Tensor x)
    {
        using var scope = NewDisposeScope();
        var logits = Logits(x);
        return (MultiLabel ? logits.sigmoid() : logits.softmax(1)).MoveToOuterDisposeScope();
    }

    /// <summary>(N, d) embeddings → (N) predicted class indices (int64, the highest score).</summary>
    public Tensor Predict(Tensor x)
    {
        using var scope = NewDisposeScope();
        return Logits(x).argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>Fraction of rows of <paramref name="x"/> (N, d) whose prediction equals <paramref name="y"/> (N).</summary>
    public double Accuracy(Tensor x, Tensor y)
    {
        if (x.shape[0] == 0) throw new ArgumentException("accuracy of an empty set");
        using var scope = NewDisposeScope();
        var hits = Predict(x).eq(y.to(ScalarType.Int64, Weight.device)).to(ScalarType.Float64).mean();
        return hits.cpu().item<double>();
    }

    public void Dispose()
    {
        Scaler.Dispose();
        Head.Dispose();
    }
}
