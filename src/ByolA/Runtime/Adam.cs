using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Runtime;

/// <summary>
/// TorchSharp's <see cref="TorchSharp.Modules.Adam"/> with its update done through Scalars that stay referenced
/// while libtorch reads them (see <see cref="KeptScalars"/>): TorchSharp 0.107's own step makes seven temporaries
/// per parameter, any of which the finalizer may free mid-call. Same operations in the same order, so the weights
/// and the saved optimizer state are identical to the bit. The class is named Adam because TorchSharp writes the
/// optimizer's type name into its saved state and checks it on load: checkpoints written before and after this
/// class load into either.
/// AMSGrad is not supported (nothing here uses it).
/// </summary>
internal sealed class Adam : TorchSharp.Modules.Adam
{
    public Adam(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : base(parameters, lr, beta1, beta2, eps, weightDecay)
    {
    }

    public override Tensor step(Func<Tensor>? closure = null)
    {
        return _step<ParamGroup>(group =>
        {
            var options = (Options)group.Options;
            double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, weightDecay = options.weight_decay!.Value;
            if (options.amsgrad!.Value) throw new NotSupportedException("ByolA.Runtime.Adam does not implement AMSGrad");
            using var k = new KeptScalars();
            Scalar sBeta1 = k.Of(beta1), sBeta2 = k.Of(beta2), sOneMinusBeta1 = k.Of(1 - beta1), sOneMinusBeta2 = k.Of(1 - beta2);
            Scalar sEps = k.Of(options.eps!.Value), sWeightDecay = k.Of(weightDecay);
            double lr = options.LearningRate!.Value;
            foreach (var param in group.Parameters)
            {
                var state = (State)_state[param.Handle];
                var grad = param.grad;
                if (grad is null) continue;
                if (options.maximize!.Value) grad = -grad;
                state.step += 1;
                double biasCorrection1 = 1 - Math.Pow(beta1, state.step);
                double biasCorrection2 = 1 - Math.Pow(beta2, state.step);
                if (weightDecay != 0) grad = grad.add(param, sWeightDecay);
                state.exp_avg.mul_(sBeta1).add_(grad, sOneMinusBeta1);
                state.exp_avg_sq.mul_(sBeta2).addcmul_(grad, grad.conj(), sOneMinusBeta2);
                var denom = state.exp_avg_sq.sqrt().div(k.Of(Math.Sqrt(biasCorrection2))).PlusInPlace(sEps);
                param.addcdiv_(state.exp_avg, denom, k.Of(-(lr / biasCorrection1)));
            }
        }, closure);
    }
}
