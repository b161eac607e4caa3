using ByolA.Configuration;
using ByolA.Runtime;

namespace ByolA.Embedding;

/// <summary>How <see cref="EmbeddingEngine.Open"/> opens a weights file: front end, layered features, device and threads.</summary>
internal sealed record EngineOptions
{
    /// <summary>Sample rate and log-mel parameters (an exported model must have been exported with the same).</summary>
    public ByolAConfig Config { get; init; } = ByolAConfig.V1;

    /// <summary>AudioNTT2020X's layered features (every block's output) instead of the final embedding; v1 weights only.</summary>
    public bool Layered { get; init; }

    /// <summary>What the encoder computes in (see <see cref="Runtime.Precision"/>): TF32 is CUDA's; bf16 through autocast, embeddings FP32.</summary>
    public NumericPrecision Precision { get; init; }

    /// <summary>
    /// The device asked for. An engine that runs only on the CPU (ONNX Runtime) refuses an explicit CUDA device and takes
    /// <c>auto</c> as the CPU.
    /// </summary>
    public DeviceSpec Device { get; init; } = DeviceSpec.Cpu;

    /// <summary>A torch device the caller has already resolved; TorchSharp engines use it instead of resolving <see cref="Device"/>.</summary>
    public TorchSharp.torch.Device? TorchDevice { get; init; }

    /// <summary>Intra-op threads of the runtime (null: all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Whether opening a TorchSharp engine without <see cref="TorchDevice"/> also applies the verbs' process-wide
    /// settings (<see cref="TorchSetup.Initialise"/>: thread count, native heap). A library caller embedding into its
    /// own process turns this off.
    /// </summary>
    public bool SetUpProcess { get; init; } = true;

    /// <summary>Throws <see cref="OptionException"/> naming the first property that cannot work.</summary>
    public EngineOptions Validate()
    {
        ResourceLimits.RequireThreads(nameof(Threads), Threads);
        return this;
    }
}
