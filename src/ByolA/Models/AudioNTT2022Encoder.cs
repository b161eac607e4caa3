using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ByolA.Models;

/// <summary>
/// The v2 (BYOL-A v2) encoder body (SPEC §3): two conv blocks (conv_d = 64·F/4), an MLP per frame, and the conv
/// features concatenated with the MLP output. <c>forward</c>: <c>(B, 1, F, T)</c> → <c>(B, T/4, d)</c>.
/// State-dict keys <c>features.{0,1,4,5}.*</c>, <c>fc.{0,3}.*</c>.
/// </summary>
internal class AudioNTT2022Encoder : Module<Tensor, Tensor>, IAudioEncoder
{
    /// <summary>2 × [Conv2d, BatchNorm2d, ReLU, MaxPool2d].</summary>
    protected readonly Sequential features;

    /// <summary>Linear(conv_d → mlp_hidden_d), ReLU, Dropout(0.3), Linear(mlp_hidden_d → d − conv_d), ReLU.</summary>
    protected readonly Sequential fc;

    public int NMels { get; }
    public int D { get; }
    public int MlpHiddenD { get; }

    /// <summary>Width of the conv features, 64·F/4 (1024 for 64 mel bins).</summary>
    public int ConvD => 64 * (NMels / 4);

    public AudioNTT2022Encoder(int nMels = 64, int d = 3072, int mlpHiddenD = 2048) : this(nameof(AudioNTT2022Encoder), nMels, d, mlpHiddenD) { }

    protected AudioNTT2022Encoder(string name, int nMels, int d, int mlpHiddenD) : base(name)
    {
        if (nMels <= 0 || nMels % 4 != 0) throw new ArgumentException($"n_mels must be a positive multiple of 4 (got {nMels})");
        if (mlpHiddenD <= 0) throw new ArgumentException($"mlp_hidden_d must be positive (got {mlpHiddenD})");
        NMels = nMels;
        D = d;
        MlpHiddenD = mlpHiddenD;
        if (d <= ConvD) throw new ArgumentException($"d must exceed the conv width 64·n_mels/4 = {ConvD} (got {d})");
        features = ConvBlocks.Stack(2);
        fc = nn.Sequential(
            nn.Linear(ConvD, mlpHiddenD),
            nn.ReLU(),
            nn.Dropout(0.3),
            nn.Linear(mlpHiddenD, d - ConvD),
            nn.ReLU());
        RegisterComponents();
    }

    public ModelKind Architecture => ModelKind.AudioNTT2022;
    public int FeatureD => D;
    public int FrameStride => 4;
    nn.Module IAudioEncoder.Module => this;

    public override Tensor forward(Tensor x) => Frames(x);

    /// <summary>Frame features <c>(B, 1, F, T)</c> → <c>(B, T/4, d)</c>: conv features, then the MLP output.</summary>
    public Tensor Frames(Tensor x)
    {
        ConvBlocks.RequireInput(x, NMels, Architecture, FrameStride);
        if (!training) return ConvBlocks.InChunks(x, FramesOf);
        return FramesOf(x);
    }

    Tensor FramesOf(Tensor x)
    {
        using var scope = NewDisposeScope();
        var conv = ConvBlocks.ToFrames(ConvBlocks.Forward(features, x));
        return cat([conv, fc.forward(conv)], 2).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Pooled(Tensor x)
    {
        using var scope = NewDisposeScope();
        return TemporalPooling.MaxPlusMean(Frames(x)).MoveToOuterDisposeScope();
    }
}
