using ByolA.Finetune;
using ByolA.Models;
using ByolA.Probe;
using ByolA.Tests.Probe;
using ByolA.Tests.Support;
using ByolA.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Tests.Finetune;

// Resume equality needs libtorch's global generator (the encoders' Dropout) to itself alone.
[Collection(ByolA.Tests.Learning.TorchRngCollection.Name)]
public class FinetuneTests
{
    /// <summary>(N, 1, 64, 32) random log-mels whose class shifts a band's level, and one-hot targets (N, C).</summary>
    static (Tensor X, Tensor Y, Tensor Labels) LogMels(int perClass, int classes, ulong seed)
    {
        var g = new Generator(seed);
        var labels = arange(classes, ScalarType.Int64).repeat_interleave(perClass);
        var x = randn([perClass * classes, 1, 64, 32], generator: g);
        for (int c = 0; c < classes; c++)
        {
            using var rows = labels.eq(c).nonzero().squeeze(1);
            x.index_add_(0, rows, ones([rows.shape[0], 1, 64, 32]).mul(c * 0.5f), 1);
        }
        var y = nn.functional.one_hot(labels, classes).to(ScalarType.Float32);
        return (x, y, labels);
    }

    [Fact]
    public void A_frozen_unaugmented_finetune_trains_what_the_linear_probe_trains()
    {
        manual_seed(5);
        using var encoder = new AudioNTT2020(64, 64);
        var (x, y, labels) = LogMels(8, 3, 7);
        encoder.eval();
        using var embeddings = FinetuneTrainer.Embed(encoder, t => t, x);
        var probeOptions = new ProbeOptions { Epochs = 4, BatchSize = 10, EarlyStopping = false, Lr = 1e-3, WeightDecay = 1e-8 };
        using var probe = ProbeTrainer.Train(embeddings, labels, null, null, 3, probeOptions, seed: 11);
        var recipe = new FinetuneRecipe
        {
            Epochs = 4, BatchSize = 10, Lr = 1e-3, WarmupEpochs = 0, Cosine = false, FreezeEncoder = true,
            MixupAlpha = 0, FreqMask = 0, TimeMask = 0, RandomCrop = false, AsProbe = true, ProbeWeightDecay = 1e-8,
        };
        using var tuned = FinetuneTrainer.Train(encoder, t => t, x, y, null, null, recipe, multiLabel: false, seed: 11);
        Assert.Equal(probe.Scaler.Mean.data<float>().ToArray(), tuned.Scaler.Mean.data<float>().ToArray());
        // The same initialisation, batches, loss and Adam steps: the same weights.
        Assert.True(probe.Weight.eq(tuned.Head.Layers[^1].weight!).all().item<bool>(), $"weights differ by up to {probe.Weight.sub(tuned.Head.Layers[^1].weight!).abs().max().item<float>()}");
        Assert.True(probe.Bias.eq(tuned.Head.Layers[^1].bias!).all().item<bool>());
        // The frozen encoder did not move.
        using var after = FinetuneTrainer.Embed(encoder, t => t, x);
        Assert.True(embeddings.eq(after).all().item<bool>());
    }

    [Fact]
    public void A_resumed_run_equals_the_uninterrupted_one_and_other_options_are_refused()
    {
        using var dir = new TempDir();
        var (x, y, _) = LogMels(6, 3, 9);
        var (xv, _, yv) = LogMels(3, 3, 10);
        // Every random part on: mixup, both masks, the crop, dropout in an MLP head.
        var recipe = new FinetuneRecipe { Epochs = 3, BatchSize = 8, Lr = 0.001, WarmupEpochs = 1, FreqMask = 10, TimeMask = 8, Hidden = [8] };
        // One starting encoder copied into each run: the global torch generator is shared with tests running alongside.
        using var start = new AudioNTT2020(64, 64);
        FinetunedModel Run(string path, bool resume, CancellationToken ct = default, Action<FinetuneEpoch>? onEpoch = null)
        {
            var encoder = new AudioNTT2020(64, 64);
            using (no_grad())
                foreach (var (to, from) in encoder.state_dict().Values.Zip(start.state_dict().Values)) to.copy_(from);
            return FinetuneTrainer.Train(encoder, t => t, x, y, xv, yv, recipe, multiLabel: false, seed: 3, onEpoch, ct,
                new FinetuneCheckpoint(path, resume, "recipe A"));
        }
        using var whole = Run(dir.File("a.pth"), resume: false);
        using var cts = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => Run(dir.File("b.pth"), false, cts.Token, e => { if (e.Epoch == 2) cts.Cancel(); }));
        using var resumed = Run(dir.File("b.pth"), resume: true);
        Assert.Equal(whole.BestEpoch, resumed.BestEpoch);
        Assert.Equal(whole.ValidScore, resumed.ValidScore);
        foreach (var (a, b) in whole.Encoder.Module.state_dict().Concat(whole.Head.state_dict())
                     .Zip(resumed.Encoder.Module.state_dict().Concat(resumed.Head.state_dict())))
            Assert.True(a.Value.eq(b.Value).all().item<bool>(), $"{a.Key}: {a.Value.sub(b.Value).abs().max().to(ScalarType.Float32).item<float>()}");

        var e = Assert.Throws<ByolAException>(() => FinetuneTrainer.Train(new AudioNTT2020(64, 64), t => t, x, y, xv, yv, recipe, false, 3,
            checkpoint: new FinetuneCheckpoint(dir.File("b.pth"), true, "recipe B")));
        Assert.Contains("the checkpoint was written with other options (recipe A); this run has recipe B", e.Message);
    }

    [Fact]
    public void A_bf16_run_trains_fp32_weights_records_its_precision_and_a_resume_in_fp32_says_so()
    {
        using var dir = new TempDir();
        var (x, y, _) = LogMels(4, 3, 12);
        var (xv, _, yv) = LogMels(2, 3, 13);
        var recipe = new FinetuneRecipe { Epochs = 1, BatchSize = 6, WarmupEpochs = 0, FreqMask = 10, TimeMask = 8 };
        using var encoder = new AudioNTT2020(64, 64);
        var epochs = new List<FinetuneEpoch>();
        using (var bf16 = FinetuneTrainer.Train(encoder, t => t, x, y, xv, yv, recipe, multiLabel: false, seed: 4, epochs.Add, default,
                   new FinetuneCheckpoint(dir.File("ck.pth"), false, "same"), ByolA.Runtime.NumericPrecision.Bf16))
        {
            Assert.True(double.IsFinite(Assert.Single(epochs).Loss));
            Assert.Equal(12, epochs[0].Samples);
            Assert.All(bf16.Encoder.Module.parameters().Concat(bf16.Head.parameters()), p => Assert.Equal(ScalarType.Float32, p.dtype));
            // The outputs come back in FP32 whatever autocast computed them in.
            Assert.Equal(ScalarType.Float32, bf16.Probabilities(t => t, xv).dtype);
        }
        var messages = new List<string>();
        using var resumed = FinetuneTrainer.Train(new AudioNTT2020(64, 64), t => t, x, y, xv, yv, recipe with { Epochs = 2 }, false, 4,
            checkpoint: new FinetuneCheckpoint(dir.File("ck.pth"), true, "same"), message: messages.Add);
        Assert.Contains(messages, m => m.Contains("resuming after epoch 1 (trained in bf16 so far, continuing in fp32)"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Fine_tuning_recovers_what_the_frozen_encoder_discards_and_beats_the_frozen_probe(int seed)
    {
        // The starting encoder's first projection is zero with a positive bias: every clip gets the same embedding, so a
        // probe on the frozen encoder can only guess one class; its convolutions still see the band level the label
        // depends on, and the ReLU after the projection is open, so end-to-end training can route it through.
        manual_seed(4 + seed);
        using var encoder = new AudioNTT2020(64, 64);
        using (no_grad())
        {
            var fc0 = (TorchSharp.Modules.Linear)encoder.named_modules().First(m => m.name == "fc.0").module;
            fc0.weight!.zero_();
            fc0.bias!.fill_(1);
        }
        var (x, y, labels) = LogMels(8, 3, (ulong)(20 + 2 * seed));
        var (xt, _, yt) = LogMels(6, 3, (ulong)(21 + 2 * seed));
        encoder.eval();
        using var frozen = FinetuneTrainer.Embed(encoder, t => t, x);
        using var probe = ProbeTrainer.Train(frozen, labels, null, null, 3, new ProbeOptions { Epochs = 20, EarlyStopping = false }, seed: seed);
        double probeAccuracy = probe.Accuracy(FinetuneTrainer.Embed(encoder, t => t, xt), yt);
        Assert.Equal(1.0 / 3, probeAccuracy, 9);

        var recipe = new FinetuneRecipe
        {
            Epochs = 12, BatchSize = 8, Lr = 1e-3, Optimizer = FinetuneOptimizer.AdamW, WarmupEpochs = 1, MixupAlpha = 0, FreqMask = 0, TimeMask = 0, RandomCrop = false,
        };
        using var tuned = FinetuneTrainer.Train(encoder, t => t, x, y, null, null, recipe, multiLabel: false, seed: seed);
        double tunedAccuracy = tuned.Probabilities(t => t, xt).argmax(1).eq(yt).to(ScalarType.Float64).mean().item<double>();
        Assert.True(tunedAccuracy > probeAccuracy + 0.3, $"fine-tuned {tunedAccuracy}, frozen probe {probeAccuracy}");
    }

    [Fact]
    public void Early_stopping_ends_patience_epochs_after_the_best_and_keeps_it()
    {
        var (x, y, _) = LogMels(4, 3, 14);
        var (xv, _, yv) = LogMels(2, 3, 15);
        // A head that barely moves: every epoch scores what the first did, which stays the best (SPEC §10 keeps the first).
        var recipe = new FinetuneRecipe
        {
            Epochs = 10, BatchSize = 6, Lr = 1e-12, WarmupEpochs = 0, FreezeEncoder = true, MixupAlpha = 0, FreqMask = 0, TimeMask = 0,
            RandomCrop = false, Patience = 3,
        };
        using var encoder = new AudioNTT2020(64, 64);
        var epochs = new List<FinetuneEpoch>();
        using var tuned = FinetuneTrainer.Train(encoder, t => t, x, y, xv, yv, recipe, multiLabel: false, seed: 2, epochs.Add);
        Assert.Equal([1, 2, 3, 4], epochs.Select(e => e.Epoch));
        Assert.All(epochs, e => Assert.Equal(epochs[0].ValidScore, e.ValidScore));
        Assert.Equal(1, tuned.BestEpoch);
        var e = Assert.Throws<OptionException>(() => (recipe with { Patience = 0 }).Validate());
        Assert.Contains(nameof(FinetuneRecipe.Patience), e.Message);
    }

    [Fact]
    public void Spec_augment_masks_one_band_and_one_stretch_per_clip_and_zero_width_is_identity()
    {
        using var x = ones([3, 1, 20, 40]);
        var masked = new ByolA.Augmentations.SpecAugment(new ByolA.Runtime.SeededRandom(1), 10, 15).Apply(x);
        for (int b = 0; b < 3; b++)
        {
            // A row is all zeros where the frequency mask fell; the rest of the zeros are whole time columns.
            var clip = masked[b, 0];
            long zeroRows = clip.eq(0).all(1).sum().item<long>();
            Assert.InRange(zeroRows, 0, 9);
            long zeroCols = clip.eq(0).all(0).sum().item<long>();
            Assert.InRange(zeroCols, 0, 14);
            Assert.Equal(20 * 40 - (20 - zeroRows) * (40 - zeroCols), clip.eq(0).sum().item<long>());
        }
        Assert.True(new ByolA.Augmentations.SpecAugment(new ByolA.Runtime.SeededRandom(1), 0, 0).Apply(x).eq(x).all().item<bool>());
    }

    [Fact]
    public void Finetune_runs_end_to_end_writes_finetune_scores_and_a_classifier_classify_loads()
    {
        using var dir = new TempDir();
        var metadata = ToneTask.Write(dir.Path, train: 4, valid: 2, test: 2);
        manual_seed(3);
        var weights = dir.File("random-d64.pth");
        using (var model = new AudioNTT2020(64, 64)) EncoderWeights.Save(model, weights);
        var options = new FinetuneOptions
        {
            Task = new EvaluateOptions
            {
                Weights = weights, MetadataPath = metadata, AudioDir = dir.File("audio"), UnitSec = 1.0,
                WorkRoot = dir.File("work"), ResultsDir = dir.File("results"), SaveModel = dir.File("tuned.byolac"),
            },
            Recipe = new FinetuneRecipe { Epochs = 2, BatchSize = 6, Hidden = [16] },
        };
        var result = Finetuning.Run(options);
        Assert.Equal("random-d64 finetune", result.ModelName);
        Assert.Equal("mlp16", result.Head);
        int testClips = 2 * ToneTask.Frequencies.Length;
        Assert.Equal(Math.Round(result.Mean * testClips), result.Mean * testClips, 9);
        Assert.Contains(",random-d64 finetune,", File.ReadAllLines(dir.File("results/tones-scores.csv"))[1]);
        Assert.True(File.Exists(result.ConfusionPath));
        using var classifier = ByolAClassifier.Load(dir.File("tuned.byolac"));
        Assert.Equal(ToneTask.Frequencies.Length, classifier.Classes.Count);
    }

    [Fact]
    public void An_encoder_rate_with_a_frozen_encoder_is_refused_naming_both()
    {
        var e = Assert.Throws<OptionException>(() => new FinetuneOptions
        {
            Task = new EvaluateOptions { Weights = "w.pth", Task = "spcv2" }, Recipe = new FinetuneRecipe { FreezeEncoder = true, LrEncoder = 1e-4 },
        }.Validate());
        Assert.Contains(nameof(FinetuneRecipe.LrEncoder), e.Message);
        Assert.Contains(nameof(FinetuneRecipe.FreezeEncoder), e.Message);
    }
}
