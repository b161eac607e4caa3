using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Probe;

/// <summary>
/// A trained linear probe: the training set's <see cref="StandardScaler"/> followed by one linear layer
/// (C, d) + (C). Tensors live on the device the probe was trained on.
/// </summary>
internal sealed class LinearClassifier : IDisposable
{
    public StandardScaler Scaler { get; }

    /// <summary>(C, d) weights.</summary>
    public Tensor Weight { get; }

    /// <summary>(C) biases.</summary>
    public Tensor Bias { get; }

    /// <summary>1-based epoch whose weights were kept.</summary>
    public int BestEpoch { get; }

    /// <summary>Epochs actually trained (fewer than the maximum when early stopping fired).</summary>
    public int EpochsRun { get; }

    /// <summary>Validation accuracy of the kept weights (NaN when trained without validation).</summary>
    public double ValidAccuracy { get; }

    internal LinearClassifier(StandardScaler scaler, Tensor weight, Tensor bias, int bestEpoch, int epochsRun, double validAccuracy)
    {
        Scaler = scaler;
        Weight = weight;
        Bias = bias;
        BestEpoch = bestEpoch;
        EpochsRun = epochsRun;
        ValidAccuracy = validAccuracy;
    }

    /// <summary>(N, d) embeddings → (N, C) logits.</summary>
    public Tensor Logits(Tensor x)
    {
        using var scope = NewDisposeScope();
        var z = Scaler.Transform(x.to(Weight.dtype, Weight.device));
        return nn.functional.linear(z, Weight, Bias).MoveToOuterDisposeScope();
    }

    /// <summary>(N, d) embeddings → (N) predicted class indices (int64).</summary>
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
        var hits = Predict(x).eq(y.to(Weight.device)).to(ScalarType.Float64).mean();
        return hits.cpu().item<double>();
    }

    public void Dispose()
    {
        Scaler.Dispose();
        Weight.Dispose();
        Bias.Dispose();
    }
}
