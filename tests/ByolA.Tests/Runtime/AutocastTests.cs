using System.Runtime.InteropServices;
using ByolA.Learning;
using ByolA.Models;
using ByolA.Runtime;
using ByolA.Tests.Learning;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Tests.Runtime;

/// <summary>
/// libtorch's autocast reached through <see cref="LibTorchNative"/>: what it changes inside an <see cref="Autocast"/>
/// region (convolution outputs bfloat16, parameters and gradients FP32), that it changes nothing outside one, on other
/// threads or in FP32, and that a libtorch without a symbol is named. bfloat16 arithmetic runs on any x86 CPU (natively
/// with AVX512-BF16 or AMX, emulated otherwise), so these assert dtypes and FP32 identity, never speed.
/// </summary>
[Collection(TorchRngCollection.Name)]
public class AutocastTests
{
    static (TorchSharp.Modules.Conv2d Conv, Tensor X) SmallConv()
    {
        var generator = new Generator(11);
        var conv = nn.Conv2d(1, 4, 3, padding: 1);
        using (no_grad())
        {
            conv.weight!.copy_(randn(4, 1, 3, 3, generator: generator));
            conv.bias!.copy_(randn(4, generator: generator));
        }
        return (conv, randn(2, 1, 8, 8, generator: generator));
    }

    [Fact]
    public void Under_bf16_a_convolution_outputs_bfloat16_while_its_parameters_and_gradients_stay_fp32()
    {
        var (conv, x) = SmallConv();
        using var _ = conv;
        Tensor y;
        using (Autocast.Region(CPU, NumericPrecision.Bf16))
        {
            Assert.True(LibTorchNative.IsAutocastEnabled(DeviceType.CPU));
            y = conv.forward(x);
        }
        Assert.Equal(ScalarType.BFloat16, y.dtype);
        y.to(ScalarType.Float32).square().sum().backward();
        Assert.Equal(ScalarType.Float32, conv.weight!.dtype);
        Assert.Equal(ScalarType.Float32, conv.weight.grad!.dtype);
        Assert.Equal(ScalarType.Float32, conv.bias!.grad!.dtype);
    }

    [Fact]
    public void Autocast_is_off_after_the_region_and_was_never_on_for_another_thread()
    {
        var (conv, x) = SmallConv();
        using var _ = conv;
        using var before = conv.forward(x).detach();
        bool otherThreadEnabled = true;
        ScalarType otherThreadDtype = ScalarType.BFloat16;
        using (Autocast.Region(CPU, NumericPrecision.Bf16))
        {
            // libtorch keeps autocast per thread: a thread running a model alongside this region computes in FP32.
            var other = new Thread(() =>
            {
                otherThreadEnabled = LibTorchNative.IsAutocastEnabled(DeviceType.CPU);
                using var y = conv.forward(x);
                otherThreadDtype = y.dtype;
            });
            other.Start();
            other.Join();
        }
        Assert.False(otherThreadEnabled);
        Assert.Equal(ScalarType.Float32, otherThreadDtype);
        Assert.False(LibTorchNative.IsAutocastEnabled(DeviceType.CPU));
        using var after = conv.forward(x).detach();
        Assert.Equal(ScalarType.Float32, after.dtype);
        Assert.True(before.eq(after).all().item<bool>());   // FP32 to the bit once the region has ended
    }

    [Fact]
    public void Fp32_and_tf32_open_no_region_and_a_bf16_step_keeps_weights_optimizer_state_batchnorm_and_loss_in_fp32()
    {
        Assert.Null(Autocast.Region(CPU, NumericPrecision.Fp32));
        Assert.Null(Autocast.Region(CPU, NumericPrecision.Tf32));

        // Two identical learners; one FP32 step each gives the same loss to the bit whether or not bf16 ran in between.
        ByolLearner Make()
        {
            manual_seed(5);
            return new ByolLearner(() => new AudioNTT2020(64, 64), featureD: 64, projDim: 32, projSize: 16, inputShape: (64, 32));
        }
        using var x = randn(4, 1, 64, 32, generator: new Generator(6));
        using var y = randn(4, 1, 64, 32, generator: new Generator(7));
        using var fp32 = Make();
        using var reference = fp32.Step(fp32.CreateOptimizer(1e-3), x, y);

        using var bf16 = Make();
        bf16.ComputePrecision = NumericPrecision.Bf16;
        var optimizer = bf16.CreateOptimizer(1e-3);
        using var targetBefore = bf16.TargetEncoder.parameters().First().clone();
        using var loss = bf16.Step(optimizer, x, y);
        Assert.Equal(ScalarType.Float32, loss.dtype);
        Assert.True(Math.Abs(loss.item<float>() - reference.item<float>()) < 0.1f, $"bf16 loss {loss.item<float>()} vs fp32 {reference.item<float>()}");
        Assert.All(bf16.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.All(bf16.OnlineParameters(), p => Assert.Equal(ScalarType.Float32, p.grad!.dtype));
        Assert.All(bf16.buffers(), b => Assert.True(b.dtype is ScalarType.Float32 or ScalarType.Int64, b.dtype.ToString()));
        // Adam's moments are FP32 like the parameters they follow.
        var moments = optimizer.state_dict().State.OfType<TorchSharp.Modules.Adam.State>().ToList();
        Assert.NotEmpty(moments);
        Assert.All(moments, a => Assert.Equal((ScalarType.Float32, ScalarType.Float32), (a.exp_avg.dtype, a.exp_avg_sq.dtype)));
        Assert.False(bf16.TargetEncoder.parameters().First().eq(targetBefore).all().item<bool>());   // the EMA moved the FP32 target
        Assert.False(LibTorchNative.IsAutocastEnabled(DeviceType.CPU));

        using var fp32Again = Make();
        using var again = fp32Again.Step(fp32Again.CreateOptimizer(1e-3), x, y);
        Assert.Equal(reference.item<float>(), again.item<float>());
    }

    [Fact]
    public void This_libtorch_has_every_symbol_and_a_missing_one_is_named_with_what_needs_it()
    {
        Assert.Null(LibTorchNative.AutocastProblem);
        Assert.Null(LibTorchNative.CudnnBenchmarkProblem);
        Assert.True(NativeLibrary.TryLoad("libc.so.6", out var libc));
        var missing = LibTorchNative.FirstMissing(libc, "malloc", LibTorchNative.SetAutocastEnabledSymbol, LibTorchNative.ClearCacheSymbol);
        Assert.Equal(LibTorchNative.SetAutocastEnabledSymbol, missing);
        var message = LibTorchNative.AutocastMessage($"libc.so.6 does not define {missing}");
        Assert.Contains("bf16", message);
        Assert.Contains(LibTorchNative.SetAutocastEnabledSymbol, message);
        Assert.DoesNotContain('\n', message);
    }
}
