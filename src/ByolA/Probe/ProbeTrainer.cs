using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Probe;

/// <summary>
/// Trains the probe of SPEC §6.3 / §9 on embedding tensors: StandardScaler fitted on the training embeddings, a
/// <see cref="ProbeHead"/> (linear, or an MLP with <see cref="ProbeOptions.Hidden"/> layers), Adam, shuffled
/// mini-batches, early stopping on the validation score keeping the best epoch (a tie keeps the later epoch and
/// restarts the patience count). Single-label targets (N) int64 train with cross-entropy and stop on validation
/// accuracy; multi-hot targets (N, C) float train with binary cross-entropy on sigmoid outputs and stop on
/// validation mAP. Everything stays on the device of the training tensors; the host sees one number per epoch
/// (multi-label: the validation scores, to rank them).
/// </summary>
internal static class ProbeTrainer
{
    /// <summary>
    /// Trains on <paramref name="xTrain"/> (N, d) float32 with targets <paramref name="yTrain"/>: (N) int64 class
    /// indices in [0, <paramref name="classes"/>), or (N, C) multi-hot float. <paramref name="xValid"/>/<paramref name="yValid"/>
    /// (same kind) are required for early stopping. All randomness (initialisation, shuffling, dropout) comes from
    /// <paramref name="seed"/>.
    /// </summary>
    public static ProbeClassifier Train(Tensor xTrain, Tensor yTrain, Tensor? xValid, Tensor? yValid, int classes,
        ProbeOptions options, long seed, CancellationToken ct = default)
    {
        options.Validate();
        bool multiLabel = yTrain.dim() == 2;
        if (xTrain.dim() != 2 || xTrain.shape[0] != yTrain.shape[0] || xTrain.shape[0] == 0 ||
            (multiLabel ? yTrain.shape[1] != classes : yTrain.dim() != 1))
            throw new ArgumentException($"expected xTrain (N, d) and yTrain (N) or (N, {classes}) with N > 0, got ({string.Join(", ", xTrain.shape)}) and ({string.Join(", ", yTrain.shape)})");
        bool early = options.EarlyStopping;
        if (early && (xValid is null || yValid is null || xValid.shape[0] == 0))
            throw new ArgumentException("early stopping needs a non-empty validation set");

        var device = xTrain.device;
        long n = xTrain.shape[0], d = xTrain.shape[1];
        var scaler = StandardScaler.Fit(xTrain);
        var targetType = multiLabel ? ScalarType.Float32 : ScalarType.Int64;
        using var xt = scaler.Transform(xTrain).to(ScalarType.Float32);
        using var yt = yTrain.to(targetType, device);
        using var xv = early ? scaler.Transform(xValid!.to(device)).to(ScalarType.Float32) : null;
        using var yv = early ? yValid!.to(targetType, device) : null;
        // Multi-label validation targets are ranked on the host each epoch.
        bool[,]? validTargets = early && multiLabel ? Targets(yv!) : null;

        var generator = new Generator((ulong)seed);
        var head = new ProbeHead(d, options.Hidden, classes);
        head.Initialise(generator);
        head.to(device);
        head.UseDropoutGenerator(generator);
        using var optimizer = new Runtime.Adam(head.parameters(), options.Lr, weightDecay: options.WeightDecay);

        long batch = Math.Min(options.BatchSize, n);
        using var best = new BestEpoch();
        int sinceBest = 0, epoch = 0;
        double bestScore;
        int bestEpoch;
        try
        {
            while (epoch < options.Epochs)
            {
                ct.ThrowIfCancellationRequested();
                epoch++;
                head.train();
                using (var perm = randperm(n, generator: generator).to(device))
                {
                    for (long start = 0; start < n; start += batch)
                    {
                        using var step = NewDisposeScope();
                        var idx = perm.narrow(0, start, Math.Min(batch, n - start));
                        var logits = head.forward(xt.index_select(0, idx));
                        var target = yt.index_select(0, idx);
                        // SPEC §9: BCE on sigmoid(logits), mean over all elements (with logits, for stability).
                        var loss = multiLabel
                            ? nn.functional.binary_cross_entropy_with_logits(logits, target)
                            : nn.functional.cross_entropy(logits, target);
                        optimizer.zero_grad();
                        loss.backward();
                        optimizer.step();
                    }
                }
                if (!early) continue;

                head.eval();
                // A tie keeps the later epoch and restarts the patience count.
                if (best.Offer(Score(head, xv!, yv!, validTargets), epoch, head.parameters(), replaceTies: true)) sinceBest = 0;
                else if (++sinceBest >= options.Patience) break;
            }
            if (early)
            {
                best.CopyInto(head.parameters());
                (bestEpoch, bestScore) = (best.Epoch, best.Score);
            }
            else
            {
                bestEpoch = epoch;
                bestScore = double.NaN;
            }
        }
        catch
        {
            head.Dispose();
            scaler.Dispose();
            throw;
        }
        head.UseDropoutGenerator(null);
        return new ProbeClassifier(scaler, head, options.Hidden, multiLabel, bestEpoch, epoch, bestScore);
    }

    /// <summary>Validation accuracy, or validation mAP (over classes with a positive validation clip) when multi-label.</summary>
    static double Score(ProbeHead head, Tensor xv, Tensor yv, bool[,]? targets)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var logits = head.forward(xv);
        if (targets == null) return logits.argmax(1).eq(yv).to(ScalarType.Float64).mean().cpu().item<double>();
        var mAP = RankingMetrics.Compute(ToArray(logits), targets).MeanAveragePrecision;
        // No class has a positive validation clip: nothing to rank, every epoch ties.
        return double.IsNaN(mAP) ? 0 : mAP;
    }

    /// <summary>(N, C) tensor → host [N, C] floats.</summary>
    internal static float[,] ToArray(Tensor scores)
    {
        int n = (int)scores.shape[0], c = (int)scores.shape[1];
        var flat = scores.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var result = new float[n, c];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(float));
        return result;
    }

    /// <summary>(N, C) multi-hot tensor → host [N, C] booleans.</summary>
    internal static bool[,] Targets(Tensor multiHot)
    {
        var values = ToArray(multiHot);
        var result = new bool[values.GetLength(0), values.GetLength(1)];
        for (int i = 0; i < values.GetLength(0); i++)
            for (int c = 0; c < values.GetLength(1); c++) result[i, c] = values[i, c] > 0.5f;
        return result;
    }
}
