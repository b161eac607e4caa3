using ByolA.Augmentations;
using ByolA.Models;
using ByolA.Probe;
using ByolA.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Finetune;

/// <summary>
/// The fine-tuning loop of SPEC §10 on tensors: encoder → <see cref="StandardScaler"/> (fitted once on the training
/// embeddings of the starting encoder, then fixed) → <see cref="ProbeHead"/>, trained end to end. Inputs are whatever
/// <c>toLogMel</c> turns into normalised log-mel (B, 1, F, T): waveforms (N, S) in the verb, log-mels in tests; mixup
/// mixes inputs and targets before it, SpecAugment and RandomResizeCrop act after it. Initialisation, shuffling and
/// dropout draw from a torch generator seeded as <c>ProbeTrainer</c> seeds its own, in the same order, and the
/// augmentations from a separate host source, so that switching them off leaves the rest of the run unchanged. A
/// step's augmentation parameters (mixup's λ and partners, the masks, the crop boxes) are drawn on the host and reach
/// the device in one non-blocking <see cref="PackedParameters"/> copy, and its loss is summed on the device: the host
/// reads the device once per epoch (the loss and the validation score), never inside the steps.
/// </summary>
internal static class FinetuneTrainer
{
    /// <summary>Clips per batch when fitting the scaler and scoring.</summary>
    const int EvalBatch = 64;

    /// <summary>The checkpoint key of the precision its epochs were trained in (recorded, not required: a resume may change it and says so).</summary>
    const string PrecisionKey = "precision";

    /// <summary>
    /// Trains on <paramref name="xTrain"/> (N, …) with targets <paramref name="yTrain"/> (N, C) float (one-hot or
    /// multi-hot). With <paramref name="xValid"/> (M, …) and <paramref name="validLabels"/> ((M) int64 classes, or (M, C)
    /// multi-hot), the weights of the first best validation epoch are kept; without, the last epoch's.
    /// <paramref name="onEpoch"/> receives each epoch's numbers; <paramref name="message"/> what a resume changes.
    /// Under <see cref="NumericPrecision.Bf16"/> the encoder and head run in an autocast region (weights, optimiser state
    /// and the loss stay FP32).
    /// </summary>
    public static FinetunedModel Train(IAudioEncoder encoder, Func<Tensor, Tensor> toLogMel, Tensor xTrain, Tensor yTrain,
        Tensor? xValid, Tensor? validLabels, FinetuneRecipe recipe, bool multiLabel, long seed,
        Action<FinetuneEpoch>? onEpoch = null, CancellationToken ct = default, FinetuneCheckpoint? checkpoint = null,
        NumericPrecision precision = NumericPrecision.Fp32, Action<string>? message = null)
    {
        var device = xTrain.device;
        precision = Precision.Effective(device, precision);
        long n = xTrain.shape[0];
        int classes = (int)yTrain.shape[1];
        var module = encoder.Module;
        module.eval();
        var saved = checkpoint?.Load();
        // The encoders' own Dropout draws from libtorch's global generator: seeded here, restored on resume, so a run
        // repeats from its seed alone.
        if (saved == null) random.manual_seed(seed);
        // A resumed run's encoder has moved: its scaler is the one saved, fitted on the starting encoder.
        var scaler = saved != null ? StandardScaler.From(saved["scaler.mean"].to(device), saved["scaler.scale"].to(device))
                                   : StandardScaler.Fit(Embed(encoder, toLogMel, xTrain, precision));
        // The log-mel's (F, T), known before the steps: each step draws its masks and crop boxes before any device work.
        long[] melShape;
        using (no_grad())
        using (var one = toLogMel(xTrain.narrow(0, 0, 1))) melShape = one.shape;
        int melF = (int)melShape[2], melT = (int)melShape[3];
        var generator = new Generator((ulong)seed);
        var head = new ProbeHead(encoder.FeatureD, recipe.Hidden, classes);
        head.Initialise(generator);
        head.to(device);
        head.UseDropoutGenerator(generator);
        var augRng = SeededRandom.Derive(seed, 25);
        var spec = new SpecAugment(augRng, recipe.FreqMask, recipe.TimeMask);
        var crop = new RandomResizeCrop(augRng, (1.0, 1.5), (0.6, 1.5), (0.6, 1.5));
        bool masks = recipe.FreqMask > 0 || recipe.TimeMask > 0, mixup = recipe.MixupAlpha > 0;
        var encoderParameters = recipe.FreezeEncoder ? [] : module.parameters().ToList();
        foreach (var p in module.parameters()) p.requires_grad = !recipe.FreezeEncoder;
        using var stepper = new FinetuneStepper(recipe.Optimizer, encoderParameters, recipe.LrEncoder ?? recipe.Lr, head.parameters(), recipe.Lr,
            recipe.AsProbe, recipe.ProbeWeightDecay);
        long batch = Math.Min(recipe.BatchSize, n);
        using var best = new BestEpoch();
        int firstEpoch = 0;
        if (saved != null)
        {
            using var noGrad = no_grad();
            foreach (var (key, t) in Named(module, head)) t.copy_(saved[key]);
            stepper.Restore(saved);
            generator.set_state(saved["rng.torch"]);
            // The encoder's own Dropout (v2) draws from libtorch's global generator, as in train.
            random.set_rng_state(saved["rng.global"]);
            augRng.State = saved["rng.augment"].data<long>().ToArray();
            firstEpoch = (int)saved["epoch"].item<long>();
            if (saved.ContainsKey("best.epoch"))
                best.Set(saved["best.score"].item<double>(), (int)saved["best.epoch"].item<long>(),
                    Named(module, head).Select(p => saved["best." + p.Key].to(device)));
            var before = saved.TryGetValue(PrecisionKey, out var p) ? (NumericPrecision)p.item<long>() : precision;
            message?.Invoke($"{checkpoint!.Path}: resuming after epoch {firstEpoch}" +
                            (before != precision ? $" (trained in {Precision.Name(before)} so far, continuing in {Precision.Name(precision)})" : ""));
        }
        try
        {
            for (int epoch = firstEpoch; epoch < recipe.Epochs; epoch++)
            {
                // Early stopping, when asked: `epoch` epochs are done; the count since the best one follows from the
                // checkpoint, so a resumed run stops where the uninterrupted one did.
                if (recipe.Patience is { } patience && best.Any && epoch - best.Epoch >= patience) break;
                ct.ThrowIfCancellationRequested();
                var clock = System.Diagnostics.Stopwatch.StartNew();
                double factor = recipe.LrFactor(epoch);
                head.train();
                // A frozen encoder keeps its BatchNorm statistics: it is the probe's fixed feature extractor.
                if (recipe.FreezeEncoder) module.eval(); else module.train();
                long steps = 0;
                using var lossSum = zeros(1, ScalarType.Float64, device);
                using (var perm = randperm(n, generator: generator).to(device))
                {
                    for (long start = 0; start < n; start += batch, steps++)
                    {
                        using var step = NewDisposeScope();
                        using var k = new KeptScalars();
                        int b = (int)Math.Min(batch, n - start);
                        // Host draws in a fixed order — mixup, masks, crop — then one copy to the device.
                        var packed = new PackedParameters();
                        MixupPlan? mix = mixup ? DrawMixup(b, recipe.MixupAlpha, augRng, packed) : null;
                        SpecAugment.Plan? maskPlan = masks ? spec.Draw(b, melF, melT, packed) : null;
                        RandomResizeCrop.Plan? cropPlan = recipe.RandomCrop ? crop.Draw(b, melF, melT, packed) : null;
                        var uploaded = mixup || masks || recipe.RandomCrop ? packed.Upload(device) : null;
                        var idx = perm.narrow(0, start, b);
                        var x = xTrain.index_select(0, idx);
                        var y = yTrain.index_select(0, idx);
                        if (mix is { } mp) (x, y) = (Mix(x, mp, uploaded!, k), Mix(y, mp, uploaded!, k));
                        var m = toLogMel(x);
                        if (maskPlan is { } sp) m = spec.Run(m, uploaded!, sp);
                        if (cropPlan is { } cp) m = crop.Run(m, uploaded!, cp);
                        Tensor logits;
                        using (Autocast.Region(device, precision))
                        {
                            Tensor features;
                            if (recipe.FreezeEncoder)
                                using (no_grad()) features = encoder.Pooled(m);
                            else features = encoder.Pooled(m);
                            logits = head.forward(scaler.Transform(features)).to(ScalarType.Float32);
                        }
                        // SPEC §10: −mean(targets · log_softmax) over all N·C elements; multi-label BCE (SPEC §9).
                        var loss = multiLabel ? nn.functional.binary_cross_entropy_with_logits(logits, y)
                            : recipe.AsProbe ? nn.functional.cross_entropy(logits, y.argmax(1))
                            : y.mul(nn.functional.log_softmax(logits, 1)).mean().neg();
                        stepper.ZeroGrad();
                        loss.backward();
                        stepper.Step(factor);
                        using (no_grad()) lossSum.PlusInPlace(loss.detach().to(ScalarType.Float64));
                    }
                }
                // The epoch's one read of the steps (it waits for them, so the clock counts their work).
                double meanLoss = lossSum.cpu().item<double>() / steps;
                clock.Stop();
                double score = double.NaN;
                if (xValid is not null && validLabels is not null)
                {
                    score = Score(encoder, toLogMel, scaler, head, xValid, validLabels, multiLabel, precision);
                    // First best kept; only a strictly better epoch replaces it (SPEC §10).
                    best.Offer(score, epoch + 1, State(module, head), replaceTies: false);
                }
                if (checkpoint != null)
                {
                    using var scope = NewDisposeScope();
                    var table = Named(module, head).ToList();
                    table.Add(new("scaler.mean", scaler.Mean));
                    table.Add(new("scaler.scale", scaler.Scale));
                    table.AddRange(stepper.State());
                    table.Add(new("rng.torch", generator.get_state()));
                    table.Add(new("rng.global", random.get_rng_state()));
                    table.Add(new("rng.augment", tensor(augRng.State)));
                    table.Add(new("epoch", tensor((long)(epoch + 1))));
                    table.Add(new(PrecisionKey, tensor((long)precision)));
                    if (best.Any)
                    {
                        table.AddRange(Named(module, head).Zip(best.Weights).Select(p => new KeyValuePair<string, Tensor>("best." + p.First.Key, p.Second)));
                        table.Add(new("best.epoch", tensor((long)best.Epoch)));
                        table.Add(new("best.score", tensor(best.Score, ScalarType.Float64)));
                    }
                    checkpoint.Save(table);
                }
                onEpoch?.Invoke(new FinetuneEpoch(epoch + 1, meanLoss, score, n, clock.Elapsed.TotalSeconds));
            }
            best.CopyInto(State(module, head));
        }
        catch
        {
            head.Dispose();
            scaler.Dispose();
            throw;
        }
        finally
        {
            foreach (var p in module.parameters()) p.requires_grad = false;
        }
        head.UseDropoutGenerator(null);
        module.eval();
        head.eval();
        return new FinetunedModel(encoder, scaler, head, recipe.Hidden, multiLabel, best.Any ? best.Epoch : recipe.Epochs,
            best.Any ? best.Score : double.NaN, precision);
    }

    /// <summary>Where a batch's mixup λ (one per clip) and partners sit in a <see cref="PackedParameters"/> buffer.</summary>
    readonly record struct MixupPlan(int N, PackedParameters.Segment Lambda, PackedParameters.Segment Partner);

    /// <summary>Mixup (SPEC §10), drawn on the host: λ per clip from Beta(α, α), partner from a random permutation of the batch.</summary>
    static MixupPlan DrawMixup(int b, double alpha, SeededRandom rng, PackedParameters into)
    {
        var lambdas = new float[b];
        for (int i = 0; i < b; i++) lambdas[i] = (float)Beta(rng, alpha);
        var partner = rng.Permutation(b).Select(i => (long)i).ToArray();
        return new MixupPlan(b, into.Add(lambdas), into.Add(partner));
    }

    /// <summary>(B, …) inputs or targets mixed with their partners: λ·t + (1 − λ)·t[partner].</summary>
    static Tensor Mix(Tensor t, MixupPlan plan, Tensor uploaded, KeptScalars k)
    {
        var shape = new long[t.dim()];
        Array.Fill(shape, 1L);
        shape[0] = plan.N;
        var l = plan.Lambda.Of(uploaded, t.dtype).view(shape);
        return t.mul(l).Plus(t.index_select(0, plan.Partner.Of(uploaded, ScalarType.Int64)).mul(k.Of(1f).Minus(l)));
    }

    /// <summary>Beta(α, α) as X / (X + Y) with X, Y ~ Gamma(α) (Marsaglia–Tsang, boosted for α &lt; 1).</summary>
    static double Beta(SeededRandom rng, double alpha)
    {
        double x = Gamma(rng, alpha), y = Gamma(rng, alpha);
        return x + y > 0 ? x / (x + y) : 0.5;
    }

    static double Gamma(SeededRandom rng, double shape)
    {
        if (shape < 1) return Gamma(rng, shape + 1) * Math.Pow(Math.Max(rng.Uniform(), 1e-300), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double z, v;
            do
            {
                // Box–Muller normal.
                double u1 = Math.Max(rng.Uniform(), 1e-300), u2 = rng.Uniform();
                z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                v = 1 + c * z;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.Uniform();
            if (Math.Log(Math.Max(u, 1e-300)) < 0.5 * z * z + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    /// <summary>(N, …) inputs → (N, d) pooled embeddings (FP32) of the encoder in its current mode, without gradients.</summary>
    internal static Tensor Embed(IAudioEncoder encoder, Func<Tensor, Tensor> toLogMel, Tensor x, NumericPrecision precision = NumericPrecision.Fp32)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long start = 0; start < x.shape[0]; start += EvalBatch)
        {
            var m = toLogMel(x.narrow(0, start, Math.Min(EvalBatch, x.shape[0] - start)));
            using (Autocast.Region(x.device, precision)) parts.Add(encoder.Pooled(m).to(ScalarType.Float32));
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>(N, …) inputs → (N, C) FP32 logits, everything in eval mode.</summary>
    internal static Tensor Logits(IAudioEncoder encoder, Func<Tensor, Tensor> toLogMel, StandardScaler scaler, ProbeHead head, Tensor x,
        NumericPrecision precision = NumericPrecision.Fp32)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        bool encoderTraining = encoder.Module.training, headTraining = head.training;
        encoder.Module.eval();
        head.eval();
        var features = scaler.Transform(Embed(encoder, toLogMel, x, precision));
        Tensor logits;
        using (Autocast.Region(x.device, precision)) logits = head.forward(features).to(ScalarType.Float32);
        if (encoderTraining) encoder.Module.train();
        if (headTraining) head.train();
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>Validation accuracy, or mAP when multi-label; the epoch's second host read.</summary>
    static double Score(IAudioEncoder encoder, Func<Tensor, Tensor> toLogMel, StandardScaler scaler, ProbeHead head, Tensor x, Tensor labels,
        bool multiLabel, NumericPrecision precision)
    {
        using var scope = NewDisposeScope();
        var logits = Logits(encoder, toLogMel, scaler, head, x, precision);
        if (!multiLabel) return logits.argmax(1).eq(labels).to(ScalarType.Float64).mean().cpu().item<double>();
        var mAP = RankingMetrics.Compute(ProbeTrainer.ToArray(logits), ProbeTrainer.Targets(labels)).MeanAveragePrecision;
        return double.IsNaN(mAP) ? 0 : mAP;
    }

    /// <summary>Every parameter and buffer (BatchNorm statistics too) of the encoder and the head.</summary>
    static IEnumerable<Tensor> State(nn.Module encoder, ProbeHead head) => Named(encoder, head).Select(p => p.Value);

    /// <summary><see cref="State"/> with checkpoint keys: <c>encoder.…</c>, <c>head.…</c>.</summary>
    static IEnumerable<KeyValuePair<string, Tensor>> Named(nn.Module encoder, ProbeHead head) =>
        encoder.state_dict().Select(p => new KeyValuePair<string, Tensor>("encoder." + p.Key, p.Value))
            .Concat(head.state_dict().Select(p => new KeyValuePair<string, Tensor>("head." + p.Key, p.Value)));
}
