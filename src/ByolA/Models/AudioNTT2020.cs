using static TorchSharp.torch;

namespace ByolA.Models;

/// <summary>
/// The v1 BYOL-A encoder (SPEC §3): <see cref="AudioNTT2020Task6"/> pooled over time (max + mean).
/// <c>forward</c>: <c>(B, 1, F, T)</c> → <c>(B, d)</c>. Same state-dict keys as the official weights.
/// </summary>
internal class AudioNTT2020 : AudioNTT2020Task6
{
    public AudioNTT2020(int nMels = 64, int d = 512) : base(nameof(AudioNTT2020), nMels, d) { }

    /// <summary>Clip embedding <c>(B, 1, F, T)</c> → <c>(B, d)</c>.</summary>
    public override Tensor forward(Tensor x) => Pooled(x);
}
