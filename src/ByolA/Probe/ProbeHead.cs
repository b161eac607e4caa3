using ByolA.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ByolA.Probe;

/// <summary>
/// The probe's layers on standardised embeddings (SPEC §6.3, §9): with no hidden sizes one Linear (d → C); with hidden
/// sizes (h1, h2, …) each hidden layer is Linear → ReLU → Dropout(p = <see cref="DropoutP"/>), then the output Linear.
/// Parameters are <c>layers.{i}.weight</c> (out, in) and <c>layers.{i}.bias</c> (out), the output layer last.
/// Dropout draws its masks from the generator given to <see cref="UseDropoutGenerator"/>, not libtorch's global one, so a run is
/// reproducible from its seed alone.
/// </summary>
internal sealed class ProbeHead : nn.Module<Tensor, Tensor>
{
    /// <summary>Dropout probability after each hidden layer (SPEC §9).</summary>
    public const double DropoutP = 0.5;

    // Named like the state-dict keys: layers.0.weight, layers.1.weight, …
    readonly ModuleList<Linear> layers;

    /// <summary>Drawn from during training for dropout masks; null (or eval mode) means no dropout.</summary>
    Generator? dropoutGenerator;

    /// <summary>Input size d, hidden sizes, class count C.</summary>
    public ProbeHead(long d, IReadOnlyList<int> hidden, long classes) : base(nameof(ProbeHead))
    {
        var sizes = new List<long> { d };
        sizes.AddRange(hidden.Select(h => (long)h));
        sizes.Add(classes);
        layers = new ModuleList<Linear>(Enumerable.Range(0, sizes.Count - 1).Select(i => nn.Linear(sizes[i], sizes[i + 1])).ToArray());
        RegisterComponents();
    }

    /// <summary>The layers, input side first; the last is the output layer.</summary>
    public IReadOnlyList<Linear> Layers => [.. layers];

    /// <summary>
    /// PyTorch's default Linear initialisation, U(−1/√fan_in, 1/√fan_in) for weight and bias, drawn from
    /// <paramref name="generator"/> in layer order (weight then bias) so runs are reproducible from the seed.
    /// </summary>
    public void Initialise(Generator generator)
    {
        using var noGrad = no_grad();
        using var k = new KeptScalars();
        foreach (var layer in layers)
        {
            double bound = 1.0 / Math.Sqrt(layer.in_features);
            using var w = rand(layer.weight!.shape, generator: generator).mul_(k.Of(2 * bound)).sub_(k.Of(bound));
            using var b = rand(layer.bias!.shape, generator: generator).mul_(k.Of(2 * bound)).sub_(k.Of(bound));
            layer.weight!.copy_(w);
            layer.bias!.copy_(b);
        }
    }

    /// <summary>Sets the generator dropout masks come from while training (masks are drawn on the CPU, then moved).</summary>
    public void UseDropoutGenerator(Generator? generator) => dropoutGenerator = generator;

    /// <summary>(N, d) standardised embeddings → (N, C) logits.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var k = new KeptScalars();
        var h = x;
        for (int i = 0; i < layers.Count; i++)
        {
            h = layers[i].forward(h);
            if (i == layers.Count - 1) break;
            h = nn.functional.relu(h);
            if (training && dropoutGenerator != null)
            {
                // Inverted dropout: keep with probability 1 − p and scale by 1 / (1 − p), as nn.Dropout does.
                var keep = rand(h.shape, generator: dropoutGenerator).ge(k.Of(DropoutP)).to(h.dtype, h.device);
                h = h.mul(keep).mul(k.Of(1 / (1 - DropoutP)));
            }
        }
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The head's name in scores files and reports: <c>linear</c> without hidden layers, else <c>mlp</c> followed by the
    /// hidden sizes joined by <c>-</c> (<c>mlp512</c>, <c>mlp512-256</c>).
    /// </summary>
    public static string Name(IReadOnlyList<int> hidden) => hidden.Count == 0 ? "linear" : "mlp" + string.Join("-", hidden);
}
