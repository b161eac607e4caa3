using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ByolA.Learning;

/// <summary>
/// BYOL projector / predictor: Linear(in → hidden), BatchNorm1d(hidden), ReLU, Linear(hidden → out).
/// <c>forward</c>: (B, in) → (B, out). State-dict keys <c>net.{0,1,3}.*</c>, as in the original.
/// </summary>
internal sealed class ProjectionMlp : Module<Tensor, Tensor>
{
    readonly Sequential net;

    public ProjectionMlp(int inputDim, int hiddenDim, int outputDim) : base(nameof(ProjectionMlp))
    {
        net = Sequential(Linear(inputDim, hiddenDim), BatchNorm1d(hiddenDim), ReLU(), Linear(hiddenDim, outputDim));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => net.forward(x);
}
