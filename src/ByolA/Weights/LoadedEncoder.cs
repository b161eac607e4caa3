using ByolA.Models;
namespace ByolA.Weights;

/// <summary>
/// An encoder built and filled from a weight file by <see cref="EncoderLoader"/>, in eval mode on the requested
/// device. <paramref name="Kind"/> is the weight family (AudioNTT2020 or AudioNTT2022);
/// <paramref name="FeatureD"/> is the encoder's d from the weight shapes (the layered X model's output is wider:
/// see <see cref="IAudioEncoder.FeatureD"/>). <paramref name="Warnings"/> lists oddities worth telling the user.
/// </summary>
internal sealed record LoadedEncoder(
    IAudioEncoder Encoder,
    ModelKind Kind,
    int FeatureD,
    int NMels,
    string SourcePath,
    IReadOnlyList<string> Warnings) : IDisposable
{
    /// <summary><see cref="Kind"/> as written in files and messages.</summary>
    public string Architecture => Kind.ToString();

    public void Dispose() => Encoder.Dispose();
}
