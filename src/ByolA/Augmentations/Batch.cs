using static TorchSharp.torch;

namespace ByolA.Augmentations;

/// <summary>Shape helpers: every augmentation takes a batch (B, 1, F, T) or one sample (1, F, T).</summary>
internal static class Batch
{
    /// <summary>(1, F, T) → (1, 1, F, T); (B, 1, F, T) unchanged. Anything else is a programming error.</summary>
    public static Tensor Of(Tensor x, string who)
    {
        if (x.dim() == 3) return x.unsqueeze(0);
        if (x.dim() == 4) return x.alias();
        throw new ArgumentException($"{who}: expected (B, 1, F, T) or (1, F, T), got ({string.Join(", ", x.shape)})");
    }

    /// <summary>Undoes <see cref="Of"/> for a result computed on the batched view.</summary>
    public static Tensor Restore(Tensor result, Tensor input) => input.dim() == 3 ? result.squeeze(0) : result;
}
