using ByolA.Models;
using static TorchSharp.torch;

namespace ByolA.Tests.Models;

/// <summary>Eval mode (folded BatchNorm, chunked batches) computes the same function as the plain layers.</summary>
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
}
