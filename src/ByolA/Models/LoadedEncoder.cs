namespace ByolA.Models;

/// <summary>
/// An encoder built and filled from a weight file by <see cref="EncoderLoader"/>, in eval mode on the requested
/// device. <paramref name="Architecture"/> is the weight family ("AudioNTT2020" or "AudioNTT2022");
/// <paramref name="FeatureD"/> is the encoder's d from the weight shapes (the layered X model's output is wider:
/// see <see cref="IAudioEncoder.FeatureD"/>). <paramref name="Warnings"/> lists oddities worth telling the user.
/// </summary>
public sealed record LoadedEncoder(
    IAudioEncoder Encoder,
    string Architecture,
    int FeatureD,
    int NMels,
    string SourcePath,
    IReadOnlyList<string> Warnings) : IDisposable
{
    public void Dispose() => Encoder.Dispose();
}
