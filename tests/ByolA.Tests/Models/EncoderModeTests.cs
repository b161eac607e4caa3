using ByolA.Models;
using static TorchSharp.torch;

namespace ByolA.Tests.Models;

// manual_seed seeds the process-wide generator: tests that draw from it must not run beside each other, or the
// inputs (and whether float tolerances hold) change from run to run.
/// <summary>Eval mode (folded BatchNorm, chunked batches) and train mode (channels-last on the CPU) compute the plain layers' function.</summary>
[Collection(ByolA.Tests.Learning.TorchRngCollection.Name)]
public class EncoderModeTests
{
    public static TheoryData<string> Encoders => new() { "v1", "x", "xlayered", "v2" };

    static IAudioEncoder Make(string kind) => kind switch
    {
        "v1" => new AudioNTT2020(16, 32),
        "x" => new AudioNTT2020X(16, 32),
        "xlayered" => new AudioNTT2020X(16, 32, layered: true),
        _ => new AudioNTT2022(16, 320, 24),
    };

    [Theory]
    [MemberData(nameof(Encoders))]
    public void Eval_batches_larger_than_a_chunk_match_clip_by_clip(string kind)
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        using var encoder = Make(kind);
        // Non-trivial BatchNorm statistics, so folding them into the convs is exercised.
        encoder.Module.train();
        using (no_grad())
            for (int i = 0; i < 3; i++) encoder.Frames(randn(8, 1, 16, 24) * 3 + 1);
        encoder.Module.eval();
        var x = randn(ConvBlocks.EvalChunk + 5, 1, 16, 24);
        using var noGrad = no_grad();
        var batched = encoder.Frames(x);
        for (int i = 0; i < x.shape[0]; i += 7)
        {
            var single = encoder.Frames(x.narrow(0, i, 1));
            Assert.True(single.allclose(batched.narrow(0, i, 1), rtol: 1e-5, atol: 1e-5), $"clip {i}");
        }
    }

    [Fact]
    public void Folded_eval_path_matches_the_layer_by_layer_computation()
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        var blocks = nn.Sequential(ConvBlocks.Block(1).Concat(ConvBlocks.Block(64)).ToArray());
        blocks.train();
        using (no_grad()) blocks.forward(randn(4, 1, 16, 24) * 2 - 1);
        blocks.eval();
        var x = randn(3, 1, 16, 24);
        using var noGrad = no_grad();
        var plain = blocks.forward(x);
        var fast = ConvBlocks.Forward(blocks, x);
        Assert.Equal(plain.shape, fast.shape);
        Assert.True(fast.allclose(plain, rtol: 1e-5, atol: 1e-5));
        blocks.train();
        Assert.False(ConvBlocks.Forward(blocks, x).allclose(plain, rtol: 1e-3, atol: 1e-3));
    }

    [Fact]
    public void Channels_last_train_path_matches_the_plain_layers_in_value_gradient_and_batch_statistics()
    {
        using var scope = NewDisposeScope();
        manual_seed(23);
        var plainBlocks = nn.Sequential(ConvBlocks.Block(1).Concat(ConvBlocks.Block(64)).ToArray());
        var fastBlocks = nn.Sequential(ConvBlocks.Block(1).Concat(ConvBlocks.Block(64)).ToArray());
        using (no_grad())
            foreach (var ((_, dst), (_, src)) in fastBlocks.state_dict().Zip(plainBlocks.state_dict()))
                dst.copy_(src);
        plainBlocks.train();
        fastBlocks.train();
        var inputs = new Generator(23);   // the input and the upstream gradient from the test's own stream
        var x = randn([5, 1, 16, 24], generator: inputs) * 2 - 1;
        var plain = plainBlocks.forward(x);
        var fast = ConvBlocks.Forward(fastBlocks, x);
        Assert.Equal(plain.shape, fast.shape);
        // NHWC strides on the output: the fast path did run channels-last.
        Assert.Equal(1, fast.stride(1));
        Assert.True(fast.allclose(plain, rtol: 1e-5, atol: 1e-5));

        using var weights = randn(plain.shape, generator: inputs);
        (plain * weights).sum().backward();
        (fast * weights).sum().backward();
        var plainParams = plainBlocks.named_parameters().ToList();
        var fastParams = fastBlocks.named_parameters().ToList();
        foreach (var ((name, p), (_, f)) in plainParams.Zip(fastParams))
        {
            Assert.True(f.grad is not null, $"{name} got no gradient");
            // Conv biases before BatchNorm get gradients that are zero in exact arithmetic: compare those absolutely.
            Assert.True(f.grad!.allclose(p.grad!, rtol: 1e-4, atol: 1e-4), $"{name} gradient differs");
        }
        // Parameters keep their default layout (state dicts and optimizer state depend on it).
        Assert.All(fastParams, np => Assert.True(np.parameter.is_contiguous(), $"{np.name} is not contiguous"));
        foreach (var ((name, p), (_, f)) in plainBlocks.named_buffers().Zip(fastBlocks.named_buffers()))
            Assert.True(f.allclose(p, rtol: 1e-5, atol: 1e-6), $"BatchNorm buffer {name} differs");
    }

    [Fact]
    public void The_folded_eval_path_refuses_blocks_it_cannot_fold()
    {
        using var scope = NewDisposeScope();
        using var plain = ConvBlocks.Stack(1);
        plain.eval();
        var x = randn(2, 1, 8, 8);
        using (no_grad()) Assert.True(ConvBlocks.Forward(plain, x).allclose(plain.forward(x), rtol: 1e-4, atol: 1e-5));
        using var noPool = nn.Sequential(nn.Conv2d(1, 64, 3, padding: 1), nn.BatchNorm2d(64), nn.ReLU(), nn.ReLU());
        noPool.eval();
        var e = Assert.Throws<InvalidOperationException>(() => ConvBlocks.Forward(noPool, x));
        Assert.Contains("Conv2d, BatchNorm2d, ReLU, ReLU", e.Message);
    }

    [Fact]
    public void Cpu_convolutions_run_channels_last_whatever_the_cuda_layout_switch()
    {
        using var scope = NewDisposeScope();
        manual_seed(23);
        var blocks = nn.Sequential(ConvBlocks.Block(1).Concat(ConvBlocks.Block(64)).ToArray());
        var x = randn(4, 1, 16, 24);
        bool before = ByolA.Runtime.ConvLayout.CudaChannelsLast;
        try
        {
            foreach (bool train in new[] { true, false })
            {
                if (train) blocks.train(); else blocks.eval();
                using var noGrad = no_grad();
                ByolA.Runtime.ConvLayout.CudaChannelsLast = false;
                var off = ConvBlocks.Forward(blocks, x);
                ByolA.Runtime.ConvLayout.CudaChannelsLast = true;
                var on = ConvBlocks.Forward(blocks, x);
                // (B, 64, F/4, T/4) with the channel stride 1: computed in NHWC either way, and to the same bits.
                Assert.Equal(1, off.stride(1));
                Assert.Equal(1, on.stride(1));
                Assert.True(on.allclose(off, rtol: 0, atol: 0), train ? "train mode" : "eval mode");
            }
        }
        finally
        {
            ByolA.Runtime.ConvLayout.CudaChannelsLast = before;
        }
    }
}
