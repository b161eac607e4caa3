using System.Globalization;
using System.Text.RegularExpressions;
using ByolA.Cli;
using ByolA.Data;
using ByolA.Distributed;
using ByolA.Learning;
using ByolA.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ByolA.Tests.Learning;

/// <summary>
/// Data-parallel training (issue 27): two ranks' averaged gradients against one process computing the half-batches
/// (the ranks are real processes under Open MPI's mpirun: <see cref="DistributedTestHost"/>), and gradient
/// accumulation in one process. In the torch-generator collection: the tests seed and draw in this process.
/// </summary>
[Collection(TorchRngCollection.Name)]
public class DistributedTrainingTests
{
    /// <summary>Eight 1 s clips of different tones in <paramref name="folder"/>.</summary>
    internal static string Clips(TempDir dir, string folder, int count = 8)
    {
        for (int k = 0; k < count; k++)
        {
            var x = Enumerable.Range(0, 16000).Select(i => (float)(0.2 * Math.Sin(2 * Math.PI * (200 + 90 * k) * i / 16000) * (1 + 0.3 * Math.Sin(i * 0.001 * (k + 1))))).ToArray();
            Directory.CreateDirectory(dir.File(folder));
            WavFile.WritePcm16(dir.File($"{folder}/c{k}.wav"), x, 16000);
        }
        return dir.File(folder);
    }

    /// <summary>The arguments of a tiny v1 training run on the CPU (one thread); <paramref name="more"/> may set --bs.</summary>
    internal static string[] Train(string audio, string outDir, int epochs, params string[] more) =>
        ["train", audio, "--config", "v1", "--d", "64", "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--bs", more.Contains("--bs") ? more[Array.IndexOf(more, "--bs") + 1] : "4", "--lr", "0.001", "--seed", "3",
         "--set", "proj_dim=32", "--set", "proj_size=16", "--device", "cpu", "--threads", "1", "--workers", "1", "--out", outDir, .. WithoutBatch(more)];

    static string[] WithoutBatch(string[] more) => more.Contains("--bs") ? [.. more.Where((_, i) => i != Array.IndexOf(more, "--bs") && i != Array.IndexOf(more, "--bs") + 1)] : more;

    [MpiFact]
    public void Two_ranks_average_the_gradients_of_their_half_batches_and_hold_the_same_weights()
    {
        using var dir = new TempDir();
        var (code, _, err, _) = MpiRunner.Run(2, null, TimeSpan.FromSeconds(120), MpiRunner.Host("gradients", dir.Path));
        Assert.True(code == 0, err);
        Assert.Equal("caught", File.ReadAllText(dir.File("null-1.txt")));   // .NET's own signal handling survives MPI_Init

        // One process, the same learner and global batch: each half-batch's backward pass alone, then their mean.
        using var learner = DistributedFixture.Learner();
        var (a, b) = DistributedFixture.Views();
        int half = DistributedFixture.Batch / 2;
        float[] HalfGradients(int from)
        {
            foreach (var p in learner.OnlineParameters()) p.grad?.zero_();
            learner.Backward(a[from..(from + half)], b[from..(from + half)]);
            return DistributedFixture.Gradients(learner.OnlineParameters());
        }
        var first = HalfGradients(0);
        var second = HalfGradients(half);
        var expected = first.Zip(second, (x, y) => (x + y) / 2).ToArray();

        var rank0 = Floats(dir.File("grad-0.bin"));
        var rank1 = Floats(dir.File("grad-1.bin"));
        Assert.Equal(expected.Length, rank0.Length);
        Assert.Equal(rank0, rank1);   // bit for bit: every rank steps with the same gradients
        double scale = expected.Max(v => Math.Abs(v));
        Assert.True(scale > 0);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(rank0[i] - expected[i]) <= 1e-5 * scale + 1e-7, $"gradient {i}: two ranks {rank0[i]}, one process {expected[i]}");
        // After the same Adam and EMA step the weights agree to the bit, and a changed weight on one rank is caught.
        Assert.Equal(File.ReadAllText(dir.File("sum-0.txt")), File.ReadAllText(dir.File("sum-1.txt")));
        foreach (var rank in new[] { 0, 1 })
        {
            var said = File.ReadAllText(dir.File($"check-{rank}.txt"));
            Assert.StartsWith("rank 1 holds weights that differ from rank 0's after a change on rank 1", said);
        }
    }

    static float[] Floats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToSingle(bytes, 4 * i)).ToArray();
    }

    [Fact]
    public void Accumulating_two_half_batches_steps_as_one_batch_for_a_model_without_BatchNorm()
    {
        (float[] Gradients, float[] Weights) StepOn(int microBatches)
        {
            using var scope = NewDisposeScope();
            manual_seed(11);
            var model = Sequential(Linear(6, 8), ReLU(), Linear(8, 3));
            var x = randn(8, 6);
            var y = randn(8, 3);
            using var parallel = new DataParallel(model.parameters(), model.buffers(), SingleProcess.Instance);
            using var optimizer = new ByolA.Runtime.Adam(model.parameters(), 1e-2, 0.9, 0.999, 1e-8, 0);
            optimizer.zero_grad();
            int size = 8 / microBatches;
            for (int k = 0; k < microBatches; k++)
                functional.mse_loss(model.forward(x[(k * size)..((k + 1) * size)]), y[(k * size)..((k + 1) * size)]).backward();
            parallel.AverageGradients(microBatches, "the test's gradients");
            var gradients = DistributedFixture.Gradients(model.parameters());
            optimizer.step();
            var weights = cat(model.parameters().Select(p => p.detach().reshape(-1)).ToArray()).data<float>().ToArray();
            return (gradients, weights);
        }
        var whole = StepOn(1);
        var accumulated = StepOn(2);
        Assert.Equal(whole.Gradients.Length, accumulated.Gradients.Length);
        for (int i = 0; i < whole.Gradients.Length; i++)
            Assert.True(Math.Abs(whole.Gradients[i] - accumulated.Gradients[i]) <= 1e-6 + 1e-5 * Math.Abs(whole.Gradients[i]), $"gradient {i}: {whole.Gradients[i]} vs {accumulated.Gradients[i]}");
        for (int i = 0; i < whole.Weights.Length; i++)
            Assert.True(Math.Abs(whole.Weights[i] - accumulated.Weights[i]) <= 1e-6, $"weight {i}: {whole.Weights[i]} vs {accumulated.Weights[i]}");
        // Two micro-batches summed without the division would be a different step: the check can tell them apart.
        Assert.NotEqual(whole.Gradients.Select(g => MathF.Round(g * 2, 5)), whole.Gradients.Select(g => MathF.Round(g, 5)));
    }

}
