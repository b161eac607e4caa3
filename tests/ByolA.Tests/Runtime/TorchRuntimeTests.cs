using ByolA.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Tests.Runtime;

public class TorchRuntimeTests
{
    [Fact]
    public void TorchSharp_native_ops_run_in_the_test_process()
    {
        var device = TorchSetup.Initialise(DeviceSpec.Cpu, threads: 1);
        Assert.Equal(DeviceType.CPU, device.type);
        using var a = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using var b = a.matmul(a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, b.data<float>().ToArray());
        using var s = torch.stft(torch.ones(1024), 256, 64, 256, hann_window(256), center: true, return_complex: true);
        Assert.Equal(new long[] { 129, 17 }, s.shape);
    }

    [Theory]
    [InlineData("auto", DeviceKind.Auto, 0)]
    [InlineData("CPU", DeviceKind.Cpu, 0)]
    [InlineData("cuda", DeviceKind.Cuda, 0)]
    [InlineData("cuda:3", DeviceKind.Cuda, 3)]
    public void Device_spec_parses(string text, DeviceKind kind, int index)
    {
        var spec = DeviceSpec.Parse(text);
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(index, spec.Index);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    public void Device_spec_rejects_garbage(string text)
    {
        var e = Assert.Throws<OptionException>(() => DeviceSpec.Parse(text));
        Assert.Equal(DeviceSpec.OptionName, e.Option);
        Assert.Contains("is not a device", e.Message);
    }

    [Fact]
    public void Cuda_without_cuda_is_a_clear_error()
    {
        if (cuda.is_available()) return;
        var e = Assert.Throws<ByolAException>(() => DeviceSpec.Parse("cuda").Resolve());
        Assert.Contains("CUDA is not available", e.Message);
        Assert.Equal(DeviceType.CPU, DeviceSpec.Auto.Resolve().type);
    }

    [Fact]
    public void Threads_must_be_positive_and_not_more_than_the_machine_allows()
    {
        Assert.Equal(TorchSetup.ThreadsOption, Assert.Throws<OptionException>(() => TorchSetup.Initialise(DeviceSpec.Cpu, threads: 0)).Option);
        var e = Assert.Throws<OptionException>(() => TorchSetup.Initialise(DeviceSpec.Cpu, threads: ResourceLimits.MaxThreads + 1));
        Assert.Contains($"at most {ResourceLimits.MaxThreads}", e.Message);
    }
}
