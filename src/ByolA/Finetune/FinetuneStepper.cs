using ByolA.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ByolA.Finetune;

/// <summary>
/// The fine-tuning optimisers of SPEC §10 written out with <see cref="KeptScalars"/> (TorchSharp 0.107's own SGD and
/// AdamW steps make temporary Scalars the finalizer can free mid-call, dotnet/TorchSharp#1434). Two parameter groups,
/// the encoder's and the head's, each with its base learning rate; <see cref="Step"/> takes the schedule's factor for
/// the epoch, a host number, so a step never waits for the device. With <see cref="FinetuneRecipe.AsProbe"/> the head steps with
/// the linear probe's Adam (SPEC §6.3, <see cref="Runtime.Adam"/>) instead: a frozen, unaugmented fine-tuning then
/// trains what <c>ProbeTrainer</c> trains.
/// </summary>
internal sealed class FinetuneStepper : IDisposable
{
    /// <summary>SGD and LARS momentum.</summary>
    public const double Momentum = 0.9;

    /// <summary>AdamW (SPEC §10).</summary>
    public const double AdamWDecay = 1e-4, Beta1 = 0.9, Beta2 = 0.95, AdamEps = 1e-8;

    /// <summary>LARS trust coefficient.</summary>
    public const double LarsEta = 0.001;

    readonly FinetuneOptimizer kind;
    readonly List<(Parameter P, double Lr)> parameters = [];
    readonly List<Tensor?> first = [], second = [], secondMax = [];
    readonly Runtime.Adam? probeAdam;
    long steps;

    public FinetuneStepper(FinetuneOptimizer kind, IEnumerable<Parameter> encoder, double lrEncoder, IEnumerable<Parameter> head, double lr,
        bool probeAdam = false, double probeWeightDecay = 0)
    {
        this.kind = kind;
        var headList = head.ToList();
        foreach (var p in encoder) parameters.Add((p, lrEncoder));
        if (probeAdam) this.probeAdam = new Runtime.Adam(headList, lr, weightDecay: probeWeightDecay);
        else foreach (var p in headList) parameters.Add((p, lr));
        foreach (var _ in parameters)
        {
            first.Add(null);
            second.Add(null);
            secondMax.Add(null);
        }
        BaseLr = lr;
    }

    double BaseLr { get; }

    /// <summary>Clears every gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var (p, _) in parameters) p.grad?.zero_();
        probeAdam?.zero_grad();
    }

    /// <summary>One update with each group's learning rate times <paramref name="factor"/> (the schedule's, for this epoch).</summary>
    public void Step(double factor)
    {
        steps++;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var k = new KeptScalars();
        if (probeAdam != null)
        {
            foreach (var group in probeAdam.ParamGroups) group.LearningRate = BaseLr * factor;
            probeAdam.step();
        }
        for (int i = 0; i < parameters.Count; i++)
        {
            var (p, baseLr) = parameters[i];
            var grad = p.grad;
            if (grad is null) continue;
            double lr = baseLr * factor;
            switch (kind)
            {
                case FinetuneOptimizer.Sgd:
                    // PyTorch's SGD: the first buffer is the gradient itself, then buf = m·buf + g.
                    first[i] = first[i] is { } buf ? buf.mul_(k.Of(Momentum)).PlusInPlace(grad) : Kept(grad.detach().clone());
                    p.add_(first[i]!, k.Of(-lr));
                    break;
                case FinetuneOptimizer.Lars:
                {
                    // Weight matrices and kernels step by η·‖w‖/‖g‖ of their layer; biases and norms plainly.
                    Tensor update = grad;
                    if (p.dim() > 1)
                    {
                        var pn = p.norm();
                        var gn = grad.norm();
                        var one = ones_like(pn);
                        var ratio = pn.mul(k.Of(LarsEta)).div(gn.clamp_min(k.Of(1e-30)));
                        var trust = where(pn.gt(k.Of(0)).logical_and(gn.gt(k.Of(0))), ratio, one);
                        update = grad.mul(trust);
                    }
                    first[i] = first[i] is { } mu ? mu.mul_(k.Of(Momentum)).PlusInPlace(update) : Kept(update.detach().clone());
                    p.add_(first[i]!, k.Of(-lr));
                    break;
                }
                case FinetuneOptimizer.AdamW:
                {
                    first[i] ??= Kept(zeros_like(p));
                    second[i] ??= Kept(zeros_like(p));
                    secondMax[i] ??= Kept(zeros_like(p));
                    p.mul_(k.Of(1 - lr * AdamWDecay));
                    first[i]!.mul_(k.Of(Beta1)).add_(grad, k.Of(1 - Beta1));
                    second[i]!.mul_(k.Of(Beta2)).addcmul_(grad, grad, k.Of(1 - Beta2));
                    // AMSGrad: the running maximum of the second moment.
                    secondMax[i]!.copy_(maximum(secondMax[i]!, second[i]!));
                    double bc1 = 1 - Math.Pow(Beta1, steps), bc2 = 1 - Math.Pow(Beta2, steps);
                    var denom = secondMax[i]!.sqrt().div_(k.Of(Math.Sqrt(bc2))).PlusInPlace(k.Of(AdamEps));
                    p.addcdiv_(first[i]!, denom, k.Of(-lr / bc1));
                    break;
                }
            }
        }
    }

    /// <summary>The optimiser's state as checkpoint entries (<c>opt.steps</c>, <c>opt.{i}.m1|m2|max</c>).</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> State()
    {
        if (probeAdam != null) throw new NotSupportedException("the probe's Adam is for checking against the probe, not for checkpointed runs");
        yield return new("opt.steps", tensor(steps));
        for (int i = 0; i < parameters.Count; i++)
        {
            if (first[i] is { } a) yield return new($"opt.{i}.m1", a);
            if (second[i] is { } b) yield return new($"opt.{i}.m2", b);
            if (secondMax[i] is { } c) yield return new($"opt.{i}.max", c);
        }
    }

    /// <summary>Takes back the state <see cref="State"/> wrote.</summary>
    public void Restore(IReadOnlyDictionary<string, Tensor> saved)
    {
        steps = saved["opt.steps"].item<long>();
        Tensor? Get(string key, Parameter like) => saved.TryGetValue(key, out var t) ? Kept(t.to(like.device)) : null;
        for (int i = 0; i < parameters.Count; i++)
        {
            first[i] = Get($"opt.{i}.m1", parameters[i].P);
            second[i] = Get($"opt.{i}.m2", parameters[i].P);
            secondMax[i] = Get($"opt.{i}.max", parameters[i].P);
        }
    }

    /// <summary>Optimizer state outlives the step's dispose scope.</summary>
    static Tensor Kept(Tensor t) => t.DetachFromDisposeScope();

    public void Dispose()
    {
        foreach (var t in first.Concat(second).Concat(secondMax)) t?.Dispose();
        probeAdam?.Dispose();
    }
}
