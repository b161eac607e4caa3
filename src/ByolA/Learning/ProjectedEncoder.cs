using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ByolA.Learning;

/// <summary>
/// An encoder followed by the projector: (B, 1, F, T) → (B, proj_size). State-dict keys <c>net.*</c> (the encoder's
/// own <c>features.*</c>, <c>fc.*</c>) and <c>projector.net.*</c>, as the original's online/target encoders.
/// </summary>
internal sealed class ProjectedEncoder : Module<Tensor, Tensor>
{
    readonly Module<Tensor, Tensor> net;
    readonly ProjectionMlp projector;

    /// <param name="encoder">Pooled encoder, (B, 1, F, T) → (B, featureD).</param>
    /// <param name="projector">(B, featureD) → (B, proj_size).</param>
    public ProjectedEncoder(Module<Tensor, Tensor> encoder, ProjectionMlp projector) : base(nameof(ProjectedEncoder))
    {
        net = encoder;
        this.projector = projector;
        RegisterComponents();
    }

    /// <summary>The encoder alone.</summary>
    public Module<Tensor, Tensor> Encoder => net;

    public ProjectionMlp Projector => projector;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return projector.forward(net.forward(x)).MoveToOuterDisposeScope();
    }
}
