using ByolA.Configuration;
using ByolA.Demo;
using ByolA.Evaluation;
using ByolA.Models;
using ByolA.Tests.Support;

namespace ByolA.Tests.Demo;

[Collection(ByolA.Tests.Learning.TorchRngCollection.Name)]
public class DemoPipelineTests
{
    [Fact]
    public void Tiny_demo_runs_train_and_both_probes_end_to_end()
    {
        using var tmp = new TempDir();
        var options = new DemoOptions
        {
            OutDir = tmp.Path,
            Minutes = 0.001,
            ClipsPerClass = 10,
            UnlabelledClips = 16,
            Repeat = 1,
            Config = ByolAConfig.V1 with { FeatureD = 32, ProjDim = 16, ProjSize = 8, Bs = 8 },
        };
        var report = DemoPipeline.Run(options);

        Assert.Equal(1, report.PretrainEpochs);
        Assert.True(File.Exists(report.PretrainedWeights));
        Assert.True(File.Exists(report.RandomWeights));
        Assert.True(File.Exists(report.TrainLog));
        Assert.InRange(report.Pretrained.MeanAccuracy, 0.0, 1.0);
        Assert.InRange(report.Random.MeanAccuracy, 0.0, 1.0);
        using (var trained = EncoderLoader.Load(report.PretrainedWeights))
        using (var random = EncoderLoader.Load(report.RandomWeights))
        {
            Assert.Equal(32, trained.FeatureD);
            Assert.Equal(32, random.FeatureD);
        }
        var scores = Directory.GetFiles(report.ResultsFolder, "*-scores.csv");
        var lines = File.ReadAllLines(Assert.Single(scores));
        Assert.Contains(lines, l => l.Contains("byol-a-pretrained"));
        Assert.Contains(lines, l => l.Contains("random-init"));
        // 6 kinds × 10 clips, 3 test clips per kind.
        var meta = File.ReadAllLines(report.DatasetFolder);
        Assert.Equal(61, meta.Length);
        Assert.Equal(18, meta.Count(l => l.EndsWith(",test")));
    }

    [Fact]
    public void Bad_options_are_rejected_with_the_option_named()
    {
        Assert.Contains("--minutes", Assert.Throws<ByolAException>(() => new DemoOptions { Minutes = 0 }.Validate()).Message);
        Assert.Contains("unlabelled", Assert.Throws<ByolAException>(() => new DemoOptions { UnlabelledClips = 3 }.Validate()).Message);
    }
}
