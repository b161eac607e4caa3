using static TorchSharp.torch;

namespace ByolA.Models;

/// <summary>
/// <see cref="AudioNTT2020Task6X"/> pooled over time (max + mean): <c>forward</c> gives <c>(B, d)</c>, or with
/// <see cref="AudioNTT2020Task6X.Layered"/> <c>(B, Σ LayerWidths)</c>, which
/// <see cref="AudioNTT2020Task6X.ByLayers"/> splits per layer.
/// </summary>
internal class AudioNTT2020X : AudioNTT2020Task6X
{
    public AudioNTT2020X(int nMels = 64, int d = 512, bool layered = false) : base(nameof(AudioNTT2020X), nMels, d, layered) { }

    public override Tensor forward(Tensor x) => Pooled(x);
}
