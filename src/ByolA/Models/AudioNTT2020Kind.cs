using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Models;

/// <summary>v1 (BYOL-A 2021): <see cref="AudioNTT2020"/>, recognised by its fourth conv block (features.8).</summary>
internal sealed class AudioNTT2020Kind : EncoderKind
{
    public override ModelKind Kind => ModelKind.AudioNTT2020;
    public override string Recipe => "v1 (AudioNTT2020)";
    public override bool HasLayeredFeatures => true;

    public override EncoderShape? Recognise(IReadOnlyDictionary<string, long[]> shapes) =>
        shapes.ContainsKey("features.8.weight") ? new EncoderShape((int)(shapes["fc.0.weight"][1] / 64 * 8), (int)shapes["fc.0.weight"][0]) : null;

    public override string ShapeClue(IReadOnlyDictionary<string, long[]> shapes) => "fc.0.weight " + EncoderKinds.Shape(shapes["fc.0.weight"]);

    public override IAudioEncoder Create(EncoderShape shape, bool layered = false) =>
        layered ? new AudioNTT2020X(shape.NMels, shape.FeatureD, layered: true) : new AudioNTT2020(shape.NMels, shape.FeatureD);

    public override nn.Module<Tensor, Tensor> CreateForTraining(int nMels, int featureD) => new AudioNTT2020(nMels, featureD);

    // Linear(64·F/8 → d) and Linear(d → d).
    public override double LargestWeights(int nMels, int featureD) => (double)featureD * (64.0 * (nMels / 8)) + (double)featureD * featureD;

    public override string WeightsFileName(TrainedWeightsName n) =>
        $"BYOLA-NTT2020d{n.FeatureD}s{n.F}x{n.T}-{n.Timestamp}-e{n.Epochs}-bs{n.Bs}-lr{n.LrDigits}-rs{n.Seed}.pth";
}
