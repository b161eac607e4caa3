using static TorchSharp.torch;

namespace ByolA.Models;

/// <summary>
/// The v2 encoder pooled over time (max + mean): <c>forward</c>: <c>(B, 1, F, T)</c> → <c>(B, d)</c>.
/// Same state-dict keys as <see cref="AudioNTT2022Encoder"/>.
/// </summary>
internal class AudioNTT2022 : AudioNTT2022Encoder
{
    public AudioNTT2022(int nMels = 64, int d = 3072, int mlpHiddenD = 2048) : base(nameof(AudioNTT2022), nMels, d, mlpHiddenD) { }

    public override Tensor forward(Tensor x) => Pooled(x);
}
