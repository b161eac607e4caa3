using ByolA.Learning;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ByolA.Tests.Learning;

/// <summary>
/// The tiny learner and batch the multi-rank gradient tests share between the test process and the ranks that
/// <see cref="DistributedTestHost"/> runs: the same seeds give the same weights and views in every process.
/// </summary>
internal static class DistributedFixture
{
    public const int Batch = 4, F = 16, T = 24, D = 16;

    /// <summary>A BYOL learner over a small conv encoder, (B, 1, F, T) → (B, D), seeded alike everywhere.</summary>
    public static ByolLearner Learner()
    {
        manual_seed(5);
        return new ByolLearner(() => Sequential(Conv2d(1, 4, 3, padding: 1), ReLU(), AdaptiveAvgPool2d(1), Flatten(), Linear(4, D)), D, 32, 8, (F, T));
    }

    /// <summary>Two views (Batch, 1, F, T) of the global batch.</summary>
    public static (Tensor A, Tensor B) Views()
    {
        manual_seed(7);
        return (randn(Batch, 1, F, T), randn(Batch, 1, F, T));
    }

    /// <summary>Every gradient of <paramref name="parameters"/> flattened in order, as host floats.</summary>
    public static float[] Gradients(IEnumerable<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        return cat(parameters.Select(p => p.grad!.reshape(-1)).ToArray()).data<float>().ToArray();
    }
}
