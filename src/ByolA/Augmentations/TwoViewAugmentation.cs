using ByolA.Runtime;
using static TorchSharp.torch;

namespace ByolA.Augmentations;

/// <summary>
/// The BYOL-A training augmentation: pre-normalise a batch of log-mel clips, then make two independent views of
/// each clip with [Mixup → RandomResizeCrop (→ RandomLinearFader in v2)].
/// v1: RunningNorm, Mixup 0.4, RRC. v2: PrecomputedNorm, Mixup 0.2, RRC, RandomLinearFader.
/// <para>
/// The original augments clip by clip — view 1 of clip b, view 2 of clip b, then clip b + 1 — so the Mixup memory
/// receives every input twice in that order. Here the normalised batch is interleaved as (x₀, x₀, x₁, x₁, …) and
/// each block runs once on all 2B rows, which keeps exactly that order while staying batched on the device.
/// </para>
/// </summary>
internal sealed class TwoViewAugmentation : IDisposable
{
    readonly RunningNorm? _running;
    readonly PrecomputedNorm? _precomputed;

    TwoViewAugmentation(IRandomSource rng, RunningNorm? running, PrecomputedNorm? precomputed, double mixupRatio, bool fader)
    {
        _running = running;
        _precomputed = precomputed;
        Mixup = new MixupBYOLA(rng, mixupRatio);
        Crop = new RandomResizeCrop(rng);
        Fader = fader ? new RandomLinearFader(rng) : null;
    }

    /// <summary>v1: the given RunningNorm, Mixup 0.4, RRC.</summary>
    public static TwoViewAugmentation V1(IRandomSource rng, RunningNorm runningNorm, double mixupRatio = 0.4) =>
        new(rng, runningNorm, null, mixupRatio, fader: false);

    /// <summary>v2: dataset statistics, Mixup 0.2, RRC, RandomLinearFader.</summary>
    public static TwoViewAugmentation V2(IRandomSource rng, PrecomputedNorm norm, double mixupRatio = 0.2) =>
        new(rng, null, norm, mixupRatio, fader: true);

    public MixupBYOLA Mixup { get; }
    public RandomResizeCrop Crop { get; }
    public RandomLinearFader? Fader { get; }

    /// <summary>The v1 running statistics (null in v2).</summary>
    public RunningNorm? RunningNorm => _running;

    /// <summary>The v2 dataset statistics (null in v1).</summary>
    public PrecomputedNorm? PrecomputedNorm => _precomputed;

    /// <summary>(B, 1, F, T) log-mel → two views, each (B, 1, F, T), on the input's device.</summary>
    public (Tensor View1, Tensor View2) Apply(Tensor batch)
    {
        if (batch.dim() != 4) throw new ArgumentException($"expected (B, 1, F, T), got ({string.Join(", ", batch.shape)})");
        using var scope = NewDisposeScope();
        long n = batch.shape[0];
        var x = _running?.Apply(batch) ?? _precomputed!.Apply(batch);
        var twice = x.repeat_interleave(2, dim: 0);
        // Every host draw of the step first, in the order the blocks consume the generator, then one upload.
        int rows = (int)twice.shape[0], f = (int)twice.shape[2], t = (int)twice.shape[3];
        var parameters = new PackedParameters();
        var mixPlan = Mixup.Draw(rows, parameters);
        var cropPlan = Crop.Draw(rows, f, t, parameters);
        var fadePlan = Fader?.Draw(rows, parameters);
        var uploaded = parameters.Upload(batch.device);
        var y = Crop.Run(Mixup.Run(twice, uploaded, mixPlan), uploaded, cropPlan);
        if (Fader != null) y = Fader.Run(y, uploaded, fadePlan!.Value);
        var pairs = y.view([n, 2, .. y.shape[1..]]);
        var v1 = pairs.select(1, 0).contiguous();
        var v2 = pairs.select(1, 1).contiguous();
        return (v1.MoveToOuterDisposeScope(), v2.MoveToOuterDisposeScope());
    }

    public void Dispose()
    {
        Mixup.Dispose();
        _running?.Dispose();
    }
}
