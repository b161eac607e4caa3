using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Models;

/// <summary>
/// Everything the library knows about one encoder kind, in one place: how to build it, how to recognise its state
/// dict, how its module names state-dict keys, which training recipe it selects (normalisation and augmentations),
/// its limits, how big its weights are and how its trained weights are named. <see cref="EncoderKinds"/> lists them;
/// nothing else branches on the kind, except the ONNX graph writer (one emitter per kind in Onnx/EncoderGraph).
/// </summary>
internal abstract class EncoderKind
{
    /// <summary>The kind as spelled in files (config <c>model</c>, weight names, ONNX <c>model_kind</c>).</summary>
    public abstract ModelKind Kind { get; }

    /// <summary>How a training run names it in its progress line, e.g. "v1 (AudioNTT2020)"; null when it is no training recipe.</summary>
    public abstract string? Recipe { get; }

    /// <summary>The training recipe's normalisation and augmentation (meaningful when <see cref="Recipe"/> is set).</summary>
    public virtual TrainingRecipe TrainingRecipe => TrainingRecipe.RunningNormV1;

    /// <summary>The value a checkpoint records for the recipe (key <c>v2</c>: 0 for v1, 1 for v2), so a resume with another recipe is refused.</summary>
    public virtual long CheckpointId => 0;

    /// <summary>Whether it can also give every block's output (AudioNTT2020X's layered features).</summary>
    public virtual bool HasLayeredFeatures => false;

    /// <summary>
    /// The shape of an encoder of this kind whose official-named state dict has these tensor shapes, or null when the
    /// state dict is not of this kind. Callers have checked that fc.0.weight and fc.3.weight are matrices and that
    /// fc.0.weight's inputs are a multiple of 64.
    /// </summary>
    public abstract EncoderShape? Recognise(IReadOnlyDictionary<string, long[]> shapes);

    /// <summary>The shapes that show what this kind's d is, for messages (e.g. "fc.0.weight [512, 512]").</summary>
    public abstract string ShapeClue(IReadOnlyDictionary<string, long[]> shapes);

    /// <summary>An encoder of <paramref name="shape"/>, with layered features when asked (<see cref="HasLayeredFeatures"/>).</summary>
    public abstract IAudioEncoder Create(EncoderShape shape, bool layered = false);

    /// <summary>The pooled encoder a BYOL learner trains: (B, 1, F, T) → (B, d).</summary>
    public abstract nn.Module<Tensor, Tensor> CreateForTraining(int nMels, int featureD);

    /// <summary>Why <paramref name="featureD"/> cannot work with <paramref name="nMels"/> mel bins, or null.</summary>
    public virtual string? FeatureDProblem(int nMels, int featureD) => null;

    /// <summary>Elements of the encoder's largest weight matrices at this size (for up-front memory checks).</summary>
    public abstract double LargestWeights(int nMels, int featureD);

    /// <summary>The original's file name for weights trained with this recipe (SPEC §5).</summary>
    public abstract string WeightsFileName(TrainedWeightsName name);

    /// <summary>The official (PyTorch) key of a module's state-dict key; the same for all but renamed X models.</summary>
    public virtual string ToOfficialKey(string moduleKey) => moduleKey;

    /// <summary>The module's key for an official key, or null when the module has no such entry.</summary>
    public virtual string? ToModuleKey(string officialKey) => officialKey;

    public override string ToString() => Kind.ToString();
}
