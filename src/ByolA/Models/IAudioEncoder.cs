using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Models;

/// <summary>
/// What every BYOL-A encoder offers: frame-level features and a pooled clip embedding, both from a batch of
/// normalised log-mel spectrograms <c>(B, 1, F, T)</c>. Implementations are TorchSharp modules
/// (<see cref="Module"/>); move and switch them between train/eval through it.
/// </summary>
internal interface IAudioEncoder : IDisposable
{
    /// <summary>The architecture, named as in the original code (AudioNTT2020, AudioNTT2020X or AudioNTT2022).</summary>
    ModelKind Architecture { get; }

    /// <summary>Mel bins F the encoder expects.</summary>
    int NMels { get; }

    /// <summary>Width of one frame of <see cref="Frames"/> and of the pooled embedding.</summary>
    int FeatureD { get; }

    /// <summary>Time downsampling: T frames in give T / FrameStride frames out (8 for v1, 4 for v2).</summary>
    int FrameStride { get; }

    /// <summary>Frame-level features: <c>(B, 1, F, T)</c> → <c>(B, T / FrameStride, FeatureD)</c>.</summary>
    Tensor Frames(Tensor x);

    /// <summary>Clip embedding, max over time plus mean over time of <see cref="Frames"/>: <c>(B, 1, F, T)</c> → <c>(B, FeatureD)</c>.</summary>
    Tensor Pooled(Tensor x);

    /// <summary>The encoder as a TorchSharp module (for <c>.to(device)</c>, <c>.eval()</c>, <c>state_dict()</c>).</summary>
    nn.Module Module { get; }
}
