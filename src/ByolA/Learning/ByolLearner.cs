using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using ByolA.Runtime;

namespace ByolA.Learning;

/// <summary>
/// The BYOL learner (SPEC §5): online encoder + projector + predictor, and a target encoder + projector that is a
/// copy updated only by an exponential moving average of the online parameters. State-dict keys
/// <c>online_encoder.*</c>, <c>online_predictor.*</c>, <c>target_encoder.*</c> as in the original (which also lists
/// the online encoder a second time under <c>net.*</c>).
/// <para>
/// Each view goes through the networks as its own batch (so BatchNorm sees B samples, not 2B), both in train mode.
/// The target is made after a warm-up forward of two random (2, 1, F, T) batches: the online networks see them,
/// the copy is taken, then the target sees them too (so its BatchNorm buffers have counted four batches).
/// </para>
/// </summary>
internal sealed class ByolLearner : Module<Tensor, Tensor, Tensor>
{
    readonly ProjectedEncoder online_encoder;
    readonly ProjectionMlp online_predictor;
    readonly ProjectedEncoder target_encoder;

    /// <param name="encoderFactory">Makes a fresh pooled encoder, (B, 1, F, T) → (B, featureD).</param>
    /// <param name="featureD">The encoder's output width d.</param>
    /// <param name="projDim">Hidden width of the projector and predictor MLPs.</param>
    /// <param name="projSize">Output width of the projector and predictor MLPs.</param>
    /// <param name="inputShape">(F, T) of the training inputs, for the warm-up batches.</param>
    /// <param name="emaDecay">The target network's moving-average decay.</param>
    /// <param name="device">Where the learner lives after construction (default: the CPU).</param>
    /// <remarks>
    /// Construction consumes torch's default generator in the original's order — encoder, predictor, the two
    /// warm-up batches, then the projector (the original makes it lazily on the first forward) — and the target
    /// copy consumes nothing, so <c>torch.manual_seed(s)</c> followed by this constructor gives the same initial
    /// state as the original seeded with s. Everything is built and warmed up on the CPU, then moved to
    /// <paramref name="device"/>.
    /// </remarks>
    public ByolLearner(Func<Module<Tensor, Tensor>> encoderFactory, int featureD, int projDim, int projSize,
        (int F, int T) inputShape, double emaDecay = 0.99, Device? device = null) : base(nameof(ByolLearner))
    {
        if (emaDecay is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(emaDecay), "ema_decay must be in [0, 1]");
        EmaDecay = emaDecay;
        var encoder = encoderFactory();
        online_predictor = new ProjectionMlp(projSize, projDim, projSize);
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var a = randn(2, 1, inputShape.F, inputShape.T);
            var b = randn(2, 1, inputShape.F, inputShape.T);
            encoder.train();
            online_predictor.train();
            var representation = encoder.forward(a);
            online_encoder = new ProjectedEncoder(encoder, new ProjectionMlp(featureD, projDim, projSize));
            online_encoder.train();
            online_predictor.forward(online_encoder.Projector.forward(representation));
            online_predictor.forward(online_encoder.forward(b));

            var rng = random.get_rng_state();
            target_encoder = new ProjectedEncoder(encoderFactory(), new ProjectionMlp(featureD, projDim, projSize));
            random.set_rng_state(rng);
            var source = online_encoder.state_dict();
            foreach (var (name, t) in target_encoder.state_dict())
                t.copy_(source[name]);
            target_encoder.train();
            target_encoder.forward(a);
            target_encoder.forward(b);
        }
        RegisterComponents();
        foreach (var p in target_encoder.parameters()) p.requires_grad = false;
        if (device != null) this.to(device);
    }

    public double EmaDecay { get; }

    /// <summary>The online encoder alone: the network BYOL-A trains and saves.</summary>
    public Module<Tensor, Tensor> Encoder => online_encoder.Encoder;

    public ProjectedEncoder OnlineEncoder => online_encoder;
    public ProjectionMlp OnlinePredictor => online_predictor;
    public ProjectedEncoder TargetEncoder => target_encoder;

    /// <summary>The trainable parameters: online encoder, projector and predictor.</summary>
    public IEnumerable<Parameter> OnlineParameters() => online_encoder.parameters().Concat(online_predictor.parameters());

    /// <summary>Adam over <see cref="OnlineParameters"/> (betas 0.9/0.999, eps 1e-8, no weight decay).</summary>
    public TorchSharp.Modules.Adam CreateOptimizer(double lr) => new Runtime.Adam(OnlineParameters(), lr, 0.9, 0.999, 1e-8, 0);

    /// <summary>
    /// The symmetric BYOL loss for two views (B, 1, F, T): mean over the batch of
    /// <c>l(pred(online(a)), target(b)) + l(pred(online(b)), target(a))</c> with <c>l(p, z) = 2 − 2·cos(p, z)</c>.
    /// Returns a scalar with gradients into the online networks.
    /// </summary>
    /// <remarks>
    /// Under <see cref="NumericPrecision.Bf16"/> the four network passes run in one autocast region (bfloat16
    /// convolutions and matmuls; BatchNorm statistics, parameters and their gradients stay FP32) and their (B, proj_size)
    /// outputs are cast to FP32 before the loss, so the loss and its reductions are FP32 whatever autocast's op lists
    /// say. In FP32 and TF32 the casts return their input: nothing changes.
    /// </remarks>
    public override Tensor forward(Tensor viewA, Tensor viewB)
    {
        using var scope = NewDisposeScope();
        Tensor predA, predB, targetA, targetB;
        using (Autocast.Region(viewA.device, ComputePrecision))
        {
            predA = online_predictor.forward(online_encoder.forward(viewA)).to(ScalarType.Float32);
            predB = online_predictor.forward(online_encoder.forward(viewB)).to(ScalarType.Float32);
            using (no_grad())
            {
                targetA = target_encoder.forward(viewA).detach().to(ScalarType.Float32);
                targetB = target_encoder.forward(viewB).detach().to(ScalarType.Float32);
            }
        }
        var loss = PairLoss(predA, targetB).Plus(PairLoss(predB, targetA)).mean();
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// What the networks compute in (<see cref="Autocast"/> for bf16); the weights, the optimizer's state, the EMA
    /// update and the loss are FP32 in every precision. TF32 is a device setting (<see cref="Runtime.Precision.Apply"/>).
    /// </summary>
    public NumericPrecision ComputePrecision { get; set; } = NumericPrecision.Fp32;

    static Tensor PairLoss(Tensor p, Tensor z)
    {
        var pn = functional.normalize(p, p: 2, dim: -1);
        var zn = functional.normalize(z, p: 2, dim: -1);
        using var k = new KeptScalars();
        return k.Of(2).Minus(k.Of(2) * (pn * zn).sum(-1));   // 2 − 2·cos(p, z)
    }

    /// <summary>
    /// target ← decay·target + (1 − decay)·online, parameters only (BatchNorm buffers are left alone), as one
    /// in-place <c>lerp_</c> per parameter (one kernel, no temporaries; equal to the two-product form up to
    /// float rounding).
    /// </summary>
    public void UpdateTarget()
    {
        using var noGrad = no_grad();
        foreach (var (t, o) in target_encoder.parameters().Zip(online_encoder.parameters()))
            t.lerp_(o, EmaWeightOn(t));
    }

    Tensor? _emaWeight;   // 0-dim (1 − decay) on the parameters' device and dtype, made once

    Tensor EmaWeightOn(Tensor like)
    {
        if (_emaWeight is null || _emaWeight.device_type != like.device_type || _emaWeight.device_index != like.device_index || _emaWeight.dtype != like.dtype)
        {
            _emaWeight?.Dispose();
            float beta = (float)EmaDecay;
            _emaWeight = tensor(1 - beta, like.dtype, like.device).DetachFromDisposeScope();
        }
        return _emaWeight;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _emaWeight?.Dispose(); _emaWeight = null; }
        base.Dispose(disposing);
    }

    /// <summary>
    /// One training step: loss, backward, optimizer step, EMA update. Returns the loss (a detached scalar on the device).
    /// </summary>
    public Tensor Step(optim.Optimizer optimizer, Tensor viewA, Tensor viewB)
    {
        train();
        optimizer.zero_grad();
        var loss = forward(viewA, viewB);
        loss.backward();
        optimizer.step();
        UpdateTarget();
        return loss.detach();
    }

    /// <summary>
    /// The first half of a step split over micro-batches or ranks: the loss of two views (B', 1, F, T) and its backward
    /// pass, whose gradients add to those already held (the caller zeroes them before an optimizer step's first
    /// micro-batch). Returns the loss (a detached scalar on the device).
    /// </summary>
    public Tensor Backward(Tensor viewA, Tensor viewB)
    {
        train();
        var loss = forward(viewA, viewB);
        loss.backward();
        return loss.detach();
    }

    /// <summary>The second half: the optimizer's step on the (averaged) gradients, then the EMA update.</summary>
    public void Update(optim.Optimizer optimizer)
    {
        optimizer.step();
        UpdateTarget();
    }
}
