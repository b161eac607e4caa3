using TorchSharp;
using static TorchSharp.torch;
using ByolA.Runtime;

namespace ByolA.Probe;

/// <summary>
/// Trains the linear-evaluation classifier of SPEC §6.3 on embedding tensors: StandardScaler fitted on the training
/// embeddings, one linear layer, cross-entropy, Adam, shuffled mini-batches, early stopping on validation accuracy
/// keeping the best epoch (a tie keeps the later epoch and restarts the patience count). Everything stays on the
/// device of the training tensors; the host sees one number per epoch.
/// </summary>
internal static class LinearProbe
{
    /// <summary>
    /// Trains on <paramref name="xTrain"/> (N, d) float32 with labels <paramref name="yTrain"/> (N) int64 in
    /// [0, <paramref name="classes"/>). <paramref name="xValid"/>/<paramref name="yValid"/> are required for early
    /// stopping. All randomness (initialisation, shuffling) comes from <paramref name="seed"/>.
    /// </summary>
    public static LinearClassifier Train(Tensor xTrain, Tensor yTrain, Tensor? xValid, Tensor? yValid, int classes,
        ProbeOptions options, long seed, CancellationToken ct = default)
    {
        options.Validate();
        if (xTrain.dim() != 2 || yTrain.dim() != 1 || xTrain.shape[0] != yTrain.shape[0] || xTrain.shape[0] == 0)
            throw new ArgumentException($"expected xTrain (N, d) and yTrain (N) with N > 0, got ({string.Join(", ", xTrain.shape)}) and ({string.Join(", ", yTrain.shape)})");
        bool early = options.EarlyStopping;
        if (early && (xValid is null || yValid is null || xValid.shape[0] == 0))
            throw new ArgumentException("early stopping needs a non-empty validation set");

        var device = xTrain.device;
        long n = xTrain.shape[0], d = xTrain.shape[1];
        var scaler = StandardScaler.Fit(xTrain);
        using var xt = scaler.Transform(xTrain).to(ScalarType.Float32);
        using var yt = yTrain.to(ScalarType.Int64, device);
        using var xv = early ? scaler.Transform(xValid!.to(device)).to(ScalarType.Float32) : null;
        using var yv = early ? yValid!.to(ScalarType.Int64, device) : null;

        var generator = new Generator((ulong)seed);
        using var layer = nn.Linear(d, classes);
        using (no_grad())
        {
            // PyTorch's default Linear initialisation, U(−1/√d, 1/√d) for weight and bias, drawn from our generator
            // so parallel runs and tests are reproducible.
            double bound = 1.0 / Math.Sqrt(d);
            using var k = new KeptScalars();
            using var w = rand([classes, d], generator: generator).mul_(k.Of(2 * bound)).sub_(k.Of(bound));
            using var b = rand([classes], generator: generator).mul_(k.Of(2 * bound)).sub_(k.Of(bound));
            layer.weight!.copy_(w);
            layer.bias!.copy_(b);
        }
        layer.to(device);
        using var optimizer = new Runtime.Adam(layer.parameters(), options.Lr, weightDecay: options.WeightDecay);

        long batch = Math.Min(options.BatchSize, n);
        Tensor? bestWeight = null, bestBias = null;
        double bestAccuracy = double.NegativeInfinity;
        int bestEpoch = 0, sinceBest = 0, epoch = 0;
        while (epoch < options.Epochs)
        {
            ct.ThrowIfCancellationRequested();
            epoch++;
            layer.train();
            using (var perm = randperm(n, generator: generator).to(device))
            {
                for (long start = 0; start < n; start += batch)
                {
                    using var step = NewDisposeScope();
                    var idx = perm.narrow(0, start, Math.Min(batch, n - start));
                    var loss = nn.functional.cross_entropy(layer.forward(xt.index_select(0, idx)), yt.index_select(0, idx));
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                }
            }
            if (!early) continue;

            layer.eval();
            double accuracy;
            using (no_grad())
            using (var scope = NewDisposeScope())
                accuracy = layer.forward(xv!).argmax(1).eq(yv!).to(ScalarType.Float64).mean().cpu().item<double>();
            if (accuracy >= bestAccuracy)
            {
                bestAccuracy = accuracy;
                bestEpoch = epoch;
                sinceBest = 0;
                bestWeight?.Dispose();
                bestBias?.Dispose();
                bestWeight = layer.weight!.detach().clone();
                bestBias = layer.bias!.detach().clone();
            }
            else if (++sinceBest >= options.Patience) break;
        }
        if (!early)
        {
            bestWeight = layer.weight!.detach().clone();
            bestBias = layer.bias!.detach().clone();
            bestEpoch = epoch;
            bestAccuracy = double.NaN;
        }
        return new LinearClassifier(scaler, bestWeight!, bestBias!, bestEpoch, epoch, bestAccuracy);
    }
}
