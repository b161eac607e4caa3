using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Models;

/// <summary>v2 (BYOL-A 2023): <see cref="AudioNTT2022"/>, conv features concatenated with an MLP's; no fourth conv block.</summary>
internal sealed class AudioNTT2022Kind : EncoderKind
{
    public override ModelKind Kind => ModelKind.AudioNTT2022;
    public override string Recipe => "v2 (AudioNTT2022)";
    public override TrainingRecipe TrainingRecipe => TrainingRecipe.DatasetNormV2;
    public override long CheckpointId => 1;

    public override EncoderShape? Recognise(IReadOnlyDictionary<string, long[]> shapes)
    {
        if (shapes.ContainsKey("features.8.weight")) return null;
        long inWidth = shapes["fc.0.weight"][1];
        return new EncoderShape((int)(inWidth / 64 * 4), (int)(inWidth + shapes["fc.3.weight"][0]), (int)shapes["fc.0.weight"][0]);
    }

    public override string ShapeClue(IReadOnlyDictionary<string, long[]> shapes) =>
        $"fc.3.weight {EncoderKinds.Shape(shapes["fc.3.weight"])} after {shapes["fc.0.weight"][1]} conv features";

    public override IAudioEncoder Create(EncoderShape shape, bool layered = false) =>
        layered ? throw new ArgumentException("layered features exist only for AudioNTT2020 (v1)") : new AudioNTT2022(shape.NMels, shape.FeatureD, shape.MlpHiddenD);

    public override nn.Module<Tensor, Tensor> CreateForTraining(int nMels, int featureD) => new AudioNTT2022(nMels, featureD);

    // d concatenates 64·n_mels/4 conv features with the MLP's output, so it must leave the MLP some width.
    public override string? FeatureDProblem(int nMels, int featureD) =>
        featureD <= 64 * (nMels / 4) ? $"must exceed the v2 encoder's conv width 64·n_mels/4 = {64 * (nMels / 4)} (got {featureD})" : null;

    // Linear(64·F/8 → d), as v1 counts it; v2 has no Linear(d → d).
    public override double LargestWeights(int nMels, int featureD) => (double)featureD * (64.0 * (nMels / 8));

    public override string WeightsFileName(TrainedWeightsName n) =>
        $"AudioNTT2022-BYOLA-{n.F}x{n.T}d{n.FeatureD}-{n.Timestamp}-e{n.Epochs}b{n.Bs}l{n.LrDigits}r{n.Seed}-{n.Hash8}.pth";
}
