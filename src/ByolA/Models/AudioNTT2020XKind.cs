using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Models;

/// <summary>
/// v1 weights with every block's output reachable (<see cref="AudioNTT2020X"/>): the same state dict as v1 under the
/// X module's own names (see <see cref="StateDictKeys"/>). Not a training recipe; files of it load as v1.
/// </summary>
internal sealed class AudioNTT2020XKind : EncoderKind
{
    static readonly AudioNTT2020Kind V1 = new();

    public override ModelKind Kind => ModelKind.AudioNTT2020X;
    public override string? Recipe => null;
    public override bool HasLayeredFeatures => true;

    // Its files hold v1's official names, so they are recognised as v1.
    public override EncoderShape? Recognise(IReadOnlyDictionary<string, long[]> shapes) => null;
    public override string ShapeClue(IReadOnlyDictionary<string, long[]> shapes) => V1.ShapeClue(shapes);
    public override IAudioEncoder Create(EncoderShape shape, bool layered = false) => new AudioNTT2020X(shape.NMels, shape.FeatureD, layered);
    public override nn.Module<Tensor, Tensor> CreateForTraining(int nMels, int featureD) => throw new NotSupportedException("AudioNTT2020X is no training recipe");
    public override double LargestWeights(int nMels, int featureD) => V1.LargestWeights(nMels, featureD);
    public override string WeightsFileName(TrainedWeightsName name) => V1.WeightsFileName(name);
    public override string ToOfficialKey(string moduleKey) => StateDictKeys.FromX(moduleKey);
    public override string? ToModuleKey(string officialKey) => StateDictKeys.ToX(officialKey);
}
