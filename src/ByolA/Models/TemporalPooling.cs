using TorchSharp;
using static TorchSharp.torch;
using ByolA.Runtime;

namespace ByolA.Models;

/// <summary>Time-axis reductions shared by the encoders.</summary>
internal static class TemporalPooling
{
    /// <summary>BYOL-A's clip pooling, max over time plus mean over time: <c>(B, T, D)</c> → <c>(B, D)</c>.</summary>
    public static Tensor MaxPlusMean(Tensor frames)
    {
        using var scope = NewDisposeScope();
        var (max, _) = frames.max(1);
        return max.Plus(frames.mean([1L])).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Averages <c>(B, T, D)</c> down to <paramref name="target"/> frames by repeated halving (mean of adjacent
    /// pairs); an odd length first merges its last two frames into their mean. Used to align the layered
    /// features of the X encoders, whose conv layers run at 2× and 4× the final frame rate.
    /// </summary>
    public static Tensor HalveTo(Tensor frames, long target)
    {
        using var scope = NewDisposeScope();
        var x = frames.alias();
        while (x.shape[1] > target)
        {
            long t = x.shape[1];
            if (t % 2 == 1)
            {
                var merged = x.narrow(1, t - 2, 2).mean([1L], keepdim: true);
                x = cat([x.narrow(1, 0, t - 2), merged], 1);
                t -= 1;
            }
            x = x.reshape(x.shape[0], t / 2, 2, x.shape[2]).mean([2L]);
        }
        return x.MoveToOuterDisposeScope();
    }
}
