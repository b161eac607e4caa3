using ByolA.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Tests.Runtime;

public class AdamTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(1e-2)]
    public void Steps_give_the_weights_and_state_of_TorchSharps_Adam_to_the_bit(double weightDecay)
    {
        // Same start, same gradients: the two optimizers must agree exactly, or checkpoints and parity would move.
        static nn.Module<Tensor, Tensor> Net() => nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3));
        using var a = Net();
        using var b = Net();
        using (no_grad())
            foreach (var (pa, pb) in a.parameters().Zip(b.parameters())) pb.copy_(pa);
        using var ours = new ByolA.Runtime.Adam(a.parameters(), 0.01, 0.8, 0.95, 1e-6, weightDecay);
        using var theirs = optim.Adam(b.parameters(), 0.01, 0.8, 0.95, 1e-6, weightDecay);
        var gen = new Generator(3);
        for (int step = 0; step < 5; step++)
        {
            using var x = randn([4, 6], generator: gen);
            foreach (var (net, opt) in new (nn.Module<Tensor, Tensor>, optim.Optimizer)[] { (a, ours), (b, theirs) })
            {
                opt.zero_grad();
                using var loss = net.forward(x).square().sum();
                loss.backward();
                opt.step();
            }
        }
        foreach (var (pa, pb) in a.parameters().Zip(b.parameters()))
            Assert.True(pa.eq(pb).all().item<bool>(), "parameters differ");
        using var sa = new MemoryStream();
        using var sb = new MemoryStream();
        ours.save_state_dict(new BinaryWriter(sa));
        theirs.save_state_dict(new BinaryWriter(sb));
        Assert.Equal(sb.ToArray(), sa.ToArray());
    }
}
