using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using ByolA.Runtime;

namespace ByolA.Models;

/// <summary>The conv stack of the AudioNTT encoders.</summary>
internal static class ConvBlocks
{
    /// <summary>Conv2d(in→64, 3×3, pad 1), BatchNorm2d(64), ReLU, MaxPool2d(2, 2): halves F and T.</summary>
    public static Module<Tensor, Tensor>[] Block(long inChannels) =>
    [
        nn.Conv2d(inChannels, 64, 3, stride: 1, padding: 1),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.MaxPool2d(2, 2),
    ];

    /// <summary><paramref name="blocks"/> blocks in one Sequential, indices as in PyTorch (features.0, .1, .4, .5, ...).</summary>
    public static Sequential Stack(int blocks) =>
        nn.Sequential(Enumerable.Range(0, blocks).SelectMany(i => Block(i == 0 ? 1 : 64)).ToArray());

    /// <summary>
    /// Runs a Sequential of conv blocks. In train mode it is the plain module's function (BatchNorm uses batch statistics).
    /// In eval mode it is the same function computed faster: BatchNorm folded into the conv weights and MaxPool
    /// before an in-place ReLU (they commute), saving three full-resolution passes over the largest activations.
    /// Folding changes float32 rounding only (~1e-6 relative). Where <see cref="ConvLayout"/> says so (always on the
    /// CPU) both modes run the convs channels-last (see <see cref="TrainForwardChannelsLast"/>).
    /// </summary>
    public static Tensor Forward(Sequential blocks, Tensor x)
    {
        if (blocks.training) return ConvLayout.ChannelsLast(x) ? TrainForwardChannelsLast(blocks, x) : blocks.forward(x);
        using var scope = NewDisposeScope();
        using var k = new KeptScalars();
        var h = x;
        var layers = blocks.children().ToList();
        for (int i = 0; i < layers.Count; i += 4)
        {
            // The fold is exact only for the blocks Block makes; anything else would be computed wrongly, so it is refused.
            if (i + 3 >= layers.Count || layers[i] is not Conv2d conv || layers[i + 1] is not BatchNorm2d bn || layers[i + 2] is not TorchSharp.Modules.ReLU || layers[i + 3] is not TorchSharp.Modules.MaxPool2d)
                throw new InvalidOperationException($"conv block {i / 4} is not Conv2d, BatchNorm2d, ReLU, MaxPool2d ({string.Join(", ", layers.Skip(i).Take(4).Select(l => l.GetType().Name))}); the folded eval path cannot run it");
            var scale = bn.weight! / bn.running_var!.Plus(k.Of(bn.eps)).sqrt();
            var weight = conv.weight! * scale.view(-1, 1, 1, 1);
            if (ConvLayout.ChannelsLast(h)) weight = ChannelsLast(weight);
            var bias = ((conv.bias! - bn.running_mean!) * scale).Plus(bn.bias!);
            h = nn.functional.max_pool2d(nn.functional.conv2d(h, weight, bias, padding: [1, 1]), 2, 2).relu_();
        }
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Train mode, channels-last: the module's function, with each conv run on a channels-last (NHWC-strided) copy of its
    /// weight, which makes libtorch run that conv and the BatchNorm, ReLU and MaxPool after it in NHWC. The NCHW
    /// max-pool kernel alone took a fifth of a BYOL step on the CPU; NHWC makes the whole step 1.4× faster there (2 cores, d 2048).
    /// Results differ from NCHW by float rounding only. The parameters themselves keep the default layout, so state
    /// dicts, optimizer state and checkpoints are unchanged; the copy is in the autograd graph, so gradients reach them.
    /// </summary>
    static Tensor TrainForwardChannelsLast(Sequential blocks, Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var layer in blocks.children())
        {
            h = layer switch
            {
                Conv2d c => functional.conv2d(h, ChannelsLast(c.weight!), c.bias, padding: [1, 1]),
                _ => ((Module<Tensor, Tensor>)layer).forward(h),
            };
        }
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A copy of a (O, I, kh, kw) weight with channels-last strides. Set explicitly: the permute/contiguous idiom
    /// cannot express it when I = 1 (the first layer), where size-1 dims make both layouts count as contiguous.
    /// </summary>
    static Tensor ChannelsLast(Tensor w)
    {
        var s = w.shape;
        return empty_strided(s, [s[1] * s[2] * s[3], 1, s[3] * s[1], s[1]], dtype: w.dtype, device: w.device).copy_(w);
    }

    /// <summary>
    /// Applies <paramref name="f"/> to slices of at most <see cref="EvalChunk"/> rows (CPU) of the batch and concatenates
    /// the results. Used in eval mode only (BatchNorm in train mode needs the whole batch): smaller activations
    /// stay in the allocator's cache instead of being mapped and faulted in afresh for every large batch.
    /// </summary>
    public static Tensor InChunks(Tensor x, Func<Tensor, Tensor> f)
    {
        long n = x.shape[0];
        // GPUs prefer whole batches; on the CPU the memory traffic of huge activations dominates.
        int chunk = x.device_type == DeviceType.CPU ? EvalChunk : 256;
        if (n <= chunk) return f(x);
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long s = 0; s < n; s += chunk)
            parts.Add(f(x.narrow(0, s, Math.Min(chunk, n - s))));
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Eval-mode batch slice on the CPU for <see cref="InChunks"/>.</summary>
    public const int EvalChunk = 16;

    /// <summary>(B, C, F', T') → (B, T', F'·C), feature index f'·C + c (channel fastest), as the fc layers expect.</summary>
    public static Tensor ToFrames(Tensor convOut)
    {
        var (b, c, f, t) = (convOut.shape[0], convOut.shape[1], convOut.shape[2], convOut.shape[3]);
        return convOut.permute(0, 3, 2, 1).reshape(b, t, f * c);
    }

    /// <summary>Rejects input that is not (B, 1, n_mels, T ≥ minFrames) with a message naming both shapes.</summary>
    public static void RequireInput(Tensor x, int nMels, ModelKind model, int minFrames)
    {
        if (x.dim() != 4 || x.shape[1] != 1 || x.shape[2] != nMels || x.shape[3] < minFrames)
            throw new ArgumentException($"{model} expects (B, 1, {nMels}, T) log-mel input with T >= {minFrames}, got ({string.Join(", ", x.shape)})");
    }
}
