using ByolA.Models;
using ByolA.Probe;
using ByolA.Runtime;
using static TorchSharp.torch;

namespace ByolA.Finetune;

/// <summary>
/// A fine-tuned classifier: the encoder (trained, or frozen), the scaler fitted on the starting encoder's training
/// embeddings and the head, all in eval mode on the training device. The caller owns the encoder; <see cref="Dispose"/>
/// frees the scaler and head.
/// </summary>
internal sealed class FinetunedModel(IAudioEncoder encoder, StandardScaler scaler, ProbeHead head, IReadOnlyList<int> hidden,
    bool multiLabel, int bestEpoch, double validScore, NumericPrecision precision = NumericPrecision.Fp32) : IDisposable
{
    public IAudioEncoder Encoder { get; } = encoder;
    public StandardScaler Scaler { get; } = scaler;
    public ProbeHead Head { get; } = head;
    public IReadOnlyList<int> Hidden { get; } = hidden;
    public bool MultiLabel { get; } = multiLabel;

    /// <summary>1-based epoch whose weights were kept (the last without validation).</summary>
    public int BestEpoch { get; } = bestEpoch;

    /// <summary>Validation score of the kept weights; NaN without validation.</summary>
    public double ValidScore { get; } = validScore;

    /// <summary>What the encoder and head compute in (bf16: an autocast region; the outputs are FP32).</summary>
    public NumericPrecision Precision { get; } = precision;

    /// <summary>(N, …) inputs → (N, C) class probabilities (softmax, or per-class sigmoid when multi-label).</summary>
    public Tensor Probabilities(Func<Tensor, Tensor> toLogMel, Tensor x)
    {
        using var scope = NewDisposeScope();
        var logits = FinetuneTrainer.Logits(Encoder, toLogMel, Scaler, Head, x, Precision);
        return (MultiLabel ? logits.sigmoid() : logits.softmax(1)).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Scaler.Dispose();
        Head.Dispose();
    }
}
