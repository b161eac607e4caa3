using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ByolA.Models;

/// <summary>
/// <see cref="AudioNTT2020Task6"/> split into named layers so every layer's output is reachable (SPEC §3):
/// <c>conv1..conv3</c> (conv blocks), <c>fc1</c> (Linear + ReLU), <c>fc2</c> (Dropout + Linear + ReLU). Keys are
/// <c>conv{1,2,3}.{0,1}.*</c>, <c>fc1.0.*</c>, <c>fc2.1.*</c>; <see cref="StateDictKeys"/> maps them from/to the
/// official <c>features.*</c>/<c>fc.*</c> names.
/// <para>With <see cref="Layered"/> false, <c>forward</c> equals AudioNTT2020Task6: <c>(B, 1, F, T)</c> →
/// <c>(B, T/8, d)</c>. With <see cref="Layered"/> true it returns the five layers' frame features side by side,
/// <c>(B, T/8, Σ widths)</c> (see <see cref="LayerWidths"/>).</para>
/// </summary>
internal class AudioNTT2020Task6X : Module<Tensor, Tensor>, IAudioEncoder
{
    protected readonly Sequential conv1;
    protected readonly Sequential conv2;
    protected readonly Sequential conv3;
    protected readonly Sequential fc1;
    protected readonly Sequential fc2;

    public int NMels { get; }
    public int D { get; }

    /// <summary>Whether <see cref="Frames"/> (and so <c>forward</c>) returns the five layers' features concatenated.</summary>
    public bool Layered { get; set; }

    public AudioNTT2020Task6X(int nMels = 64, int d = 512, bool layered = false) : this(nameof(AudioNTT2020Task6X), nMels, d, layered) { }

    protected AudioNTT2020Task6X(string name, int nMels, int d, bool layered) : base(name)
    {
        if (nMels <= 0 || nMels % 8 != 0) throw new ArgumentException($"n_mels must be a positive multiple of 8 (got {nMels})");
        if (d <= 0) throw new ArgumentException($"d must be positive (got {d})");
        NMels = nMels;
        D = d;
        Layered = layered;
        conv1 = nn.Sequential(ConvBlocks.Block(1));
        conv2 = nn.Sequential(ConvBlocks.Block(64));
        conv3 = nn.Sequential(ConvBlocks.Block(64));
        fc1 = nn.Sequential(nn.Linear(64 * (nMels / 8), d), nn.ReLU());
        fc2 = nn.Sequential(nn.Dropout(0.3), nn.Linear(d, d), nn.ReLU());
        RegisterComponents();
    }

    public virtual ModelKind Architecture => ModelKind.AudioNTT2020X;
    public int FeatureD => Layered ? LayerWidths.Sum() : D;
    public int FrameStride => 8;
    nn.Module IAudioEncoder.Module => this;

    /// <summary>
    /// Native width of each layer's frame features: conv1 64·F/2, conv2 64·F/4, conv3 64·F/8, fc1 d, fc2 d.
    /// </summary>
    public IReadOnlyList<int> NativeLayerWidths => [64 * (NMels / 2), 64 * (NMels / 4), 64 * (NMels / 8), D, D];

    /// <summary>Width of each layer inside the layered output: conv layers are zero-padded up to d when narrower.</summary>
    public IReadOnlyList<int> LayerWidths => NativeLayerWidths.Select(w => Math.Max(w, D)).ToArray();

    public override Tensor forward(Tensor x) => Frames(x);

    /// <inheritdoc />
    public Tensor Frames(Tensor x) => Layered ? LayeredFrames(x) : FinalFrames(x);

    /// <summary>The last layer's frame features <c>(B, 1, F, T)</c> → <c>(B, T/8, d)</c>, as AudioNTT2020Task6.</summary>
    public Tensor FinalFrames(Tensor x)
    {
        ConvBlocks.RequireInput(x, NMels, Architecture, FrameStride);
        return training ? FinalFramesOf(x) : ConvBlocks.InChunks(x, FinalFramesOf);
    }

    Tensor FinalFramesOf(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = ConvBlocks.Forward(conv3, ConvBlocks.Forward(conv2, ConvBlocks.Forward(conv1, x)));
        return fc2.forward(fc1.forward(ConvBlocks.ToFrames(h))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The five layers' frame features concatenated on the last axis: <c>(B, 1, F, T)</c> →
    /// <c>(B, T/8, Σ LayerWidths)</c>. Conv outputs are laid out with index c·F_l + f, zero-padded to d when
    /// narrower and averaged down in time to T/8 frames (<see cref="TemporalPooling.HalveTo"/>).
    /// </summary>
    public Tensor LayeredFrames(Tensor x)
    {
        ConvBlocks.RequireInput(x, NMels, Architecture, FrameStride);
        return training ? LayeredFramesOf(x) : ConvBlocks.InChunks(x, LayeredFramesOf);
    }

    Tensor LayeredFramesOf(Tensor x)
    {
        using var scope = NewDisposeScope();
        var c1 = ConvBlocks.Forward(conv1, x);
        var c2 = ConvBlocks.Forward(conv2, c1);
        var c3 = ConvBlocks.Forward(conv3, c2);
        var f1 = fc1.forward(ConvBlocks.ToFrames(c3));
        var f2 = fc2.forward(f1);
        long target = c3.shape[3];
        var parts = new List<Tensor>();
        foreach (var c in new[] { c1, c2, c3 })
        {
            var (b, ch, f, t) = (c.shape[0], c.shape[1], c.shape[2], c.shape[3]);
            // Channel-major layout (c·F_l + f), unlike the fc input, to match the original's layered features.
            var frames = c.permute(0, 3, 1, 2).reshape(b, t, ch * f);
            if (ch * f < D) frames = nn.functional.pad(frames, [0, D - ch * f]);
            parts.Add(TemporalPooling.HalveTo(frames, target));
        }
        parts.Add(f1);
        parts.Add(f2);
        return cat(parts, 2).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Splits pooled layered features <c>(B, Σ LayerWidths)</c> (or frames <c>(B, T', Σ LayerWidths)</c>) into the
    /// five layers, each <c>(…, LayerWidths[l])</c>; with <paramref name="native"/> the conv layers' zero padding is
    /// dropped, giving <c>(…, NativeLayerWidths[l])</c>. Works for every d.
    /// </summary>
    public Tensor[] ByLayers(Tensor layered, bool native = false)
    {
        var widths = LayerWidths;
        long total = widths.Sum();
        if (layered.shape[^1] != total)
            throw new ArgumentException($"expected layered features of width {total} (layers {string.Join("+", widths)}), got ({string.Join(", ", layered.shape)})");
        var result = new Tensor[widths.Count];
        long start = 0;
        for (int l = 0; l < widths.Count; l++)
        {
            long width = native ? NativeLayerWidths[l] : widths[l];
            result[l] = layered.narrow(-1, start, width);
            start += widths[l];
        }
        return result;
    }

    /// <inheritdoc />
    public Tensor Pooled(Tensor x)
    {
        using var scope = NewDisposeScope();
        return TemporalPooling.MaxPlusMean(Frames(x)).MoveToOuterDisposeScope();
    }
}
