using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

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

    /// <summary>(B, C, F', T') → (B, T', F'·C), feature index f'·C + c (channel fastest), as the fc layers expect.</summary>
    public static Tensor ToFrames(Tensor convOut)
    {
        var (b, c, f, t) = (convOut.shape[0], convOut.shape[1], convOut.shape[2], convOut.shape[3]);
        return convOut.permute(0, 3, 2, 1).reshape(b, t, f * c);
    }

    /// <summary>Rejects input that is not (B, 1, n_mels, T ≥ minFrames) with a message naming both shapes.</summary>
    public static void RequireInput(Tensor x, int nMels, string model, int minFrames)
    {
        if (x.dim() != 4 || x.shape[1] != 1 || x.shape[2] != nMels || x.shape[3] < minFrames)
            throw new ArgumentException($"{model} expects (B, 1, {nMels}, T) log-mel input with T >= {minFrames}, got ({string.Join(", ", x.shape)})");
    }
}
