using ByolA.Learning;
using ByolA.Models;
using static TorchSharp.torch;

namespace ByolA.Tests.Learning;

[Collection(TorchRngCollection.Name)]
public class ByolLearnerTests
{
    static ByolLearner Tiny(double decay = 0.99) =>
        new(() => new AudioNTT2020(64, 64), featureD: 64, projDim: 32, projSize: 16, inputShape: (64, 32), emaDecay: decay);

    [Fact]
    public void Ema_moves_target_parameters_only()
    {
        manual_seed(1);
        using var learner = Tiny();
        using (no_grad())
            foreach (var p in learner.OnlineEncoder.parameters()) p.add_(1f);
        var before = learner.TargetEncoder.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var online = learner.OnlineEncoder.state_dict();
        learner.UpdateTarget();
        var paramNames = learner.TargetEncoder.named_parameters().Select(p => p.name).ToHashSet();
        foreach (var (name, t) in learner.TargetEncoder.state_dict())
        {
            using var expected = paramNames.Contains(name) ? before[name] * 0.99f + online[name] * 0.01f : before[name];
            Assert.True((t.to_type(ScalarType.Float64) - expected.to_type(ScalarType.Float64)).abs().max().item<double>() < 1e-6, name);
        }
        Assert.All(learner.TargetEncoder.parameters(), p => Assert.False(p.requires_grad));
        Assert.Equal(learner.OnlineEncoder.parameters().Count() + learner.OnlinePredictor.parameters().Count(), learner.OnlineParameters().Count());
    }

    [Fact]
    public void Identical_views_of_a_fresh_learner_give_a_loss_in_range_and_steps_reduce_it()
    {
        manual_seed(2);
        using var learner = Tiny();
        var optimizer = learner.CreateOptimizer(1e-3);
        using var x = randn(8, 1, 64, 32, generator: new Generator(3));
        float first = learner.Step(optimizer, x, x).item<float>();
        Assert.InRange(first, 0f, 8f);
        float last = first;
        for (int k = 0; k < 15; k++) last = learner.Step(optimizer, x, x).item<float>();
        Assert.True(last < first, $"loss {first} → {last}");
    }
}
