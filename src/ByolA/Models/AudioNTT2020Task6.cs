using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ByolA.Models;

/// <summary>
/// The v1 BYOL-A encoder body (SPEC §3): three conv blocks, then an MLP per frame.
/// <c>forward</c>: <c>(B, 1, F, T)</c> → <c>(B, T/8, d)</c>. State-dict keys <c>features.{0,1,4,5,8,9}.*</c>,
/// <c>fc.{0,3}.*</c>, as in the official weights.
/// </summary>
internal class AudioNTT2020Task6 : Module<Tensor, Tensor>, IAudioEncoder
{
    /// <summary>3 × [Conv2d, BatchNorm2d, ReLU, MaxPool2d].</summary>
    protected readonly Sequential features;

    /// <summary>Linear(64·F/8 → d), ReLU, Dropout(0.3), Linear(d → d), ReLU.</summary>
    protected readonly Sequential fc;

    public int NMels { get; }
    public int D { get; }

    public AudioNTT2020Task6(int nMels = 64, int d = 512) : this(nameof(AudioNTT2020Task6), nMels, d) { }

    protected AudioNTT2020Task6(string name, int nMels, int d) : base(name)
    {
        if (nMels <= 0 || nMels % 8 != 0) throw new ArgumentException($"n_mels must be a positive multiple of 8 (got {nMels})");
        if (d <= 0) throw new ArgumentException($"d must be positive (got {d})");
        NMels = nMels;
        D = d;
        features = ConvBlocks.Stack(3);
        fc = nn.Sequential(
            nn.Linear(64 * (nMels / 8), d),
            nn.ReLU(),
            nn.Dropout(0.3),
            nn.Linear(d, d),
            nn.ReLU());
        RegisterComponents();
    }

    public virtual ModelKind Architecture => ModelKind.AudioNTT2020;
    public virtual int FeatureD => D;
    public int FrameStride => 8;
    nn.Module IAudioEncoder.Module => this;

    /// <summary>Frame-level features <c>(B, 1, F, T)</c> → <c>(B, T/8, d)</c>.</summary>
    public override Tensor forward(Tensor x) => Frames(x);

    /// <inheritdoc />
    public virtual Tensor Frames(Tensor x)
    {
        ConvBlocks.RequireInput(x, NMels, Architecture, FrameStride);
        if (!training) return ConvBlocks.InChunks(x, FramesOf);
        return FramesOf(x);
    }

    Tensor FramesOf(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = ConvBlocks.ToFrames(ConvBlocks.Forward(features, x));
        return fc.forward(h).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Pooled(Tensor x)
    {
        using var scope = NewDisposeScope();
        return TemporalPooling.MaxPlusMean(Frames(x)).MoveToOuterDisposeScope();
    }
}
