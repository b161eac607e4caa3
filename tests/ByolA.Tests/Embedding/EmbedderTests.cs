using ByolA.Embedding;
using ByolA.Data;
using ByolA.Audio;
using ByolA.Configuration;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Embedding;

public class EmbedderTests
{
    static readonly ByolAConfig Config = ByolAConfig.V1;
    static readonly NormStats Stats = new(-6.0, 4.5);

    /// <summary>The embedding of one file computed step by step on the CPU (centre crop).</summary>
    static Tensor Reference(nn.Module<Tensor, Tensor> encoder, string path)
    {
        using var logMel = new LogMelSpectrogram(Config.FrontEnd);
        var clip = UnitClip.Fit(EmbedderTestAudio.ReadBack(path), Config.UnitSamples, rng: null);
        using var noGrad = no_grad();
        var lms = logMel.forward(tensor(clip).unsqueeze(0));
        return encoder.forward(((lms - Stats.Mean) / Stats.Std).unsqueeze(1)).squeeze(0);
    }

    [Fact]
    public void Files_are_embedded_in_order_across_batches_like_one_by_one()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        var files = EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5, 0.95, 1.3, 0.2, 2.0);
        using var embedder = new Embedder(encoder, Stats, new EmbedderOptions { Config = Config, BatchSize = 2, Workers = 2 });
        using var result = embedder.EmbedFiles(files);
        Assert.Equal(files, result.Files);
        Assert.Empty(result.Skipped);
        Assert.Equal(new long[] { 5, 32 }, result.Embeddings.shape);
        for (int i = 0; i < files.Length; i++)
        {
            var expected = Reference(encoder, files[i]);
            double err = (result.Embeddings[i] - expected).abs().max().item<float>();
            Assert.True(err <= 1e-5 * Math.Max(1, expected.abs().max().item<float>()), $"file {i}: error {err}");
        }
    }

    [Fact]
    public void Frame_output_has_one_row_per_frame()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        var files = EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5, 1.0, 1.5);
        using var embedder = new Embedder(encoder, Stats, new EmbedderOptions { Config = Config, Frames = true, BatchSize = 8 });
        Assert.Equal(12, embedder.FramesPerClip); // 96 log-mel frames / 8
        using var result = embedder.EmbedFiles(files);
        Assert.Equal(new long[] { 3, 12, 32 }, result.Embeddings.shape);
        using var pooled = new Embedder(encoder, Stats, new EmbedderOptions { Config = Config });
        using var rows = pooled.EmbedFiles(files);
        var frames = result.Embeddings;
        var fromFrames = frames.max(1).values + frames.mean([1L]);
        Assert.True(fromFrames.allclose(rows.Embeddings, rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void Random_crop_is_seeded_and_differs_from_the_centre()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        var files = EmbedderTestAudio.WriteClips(tmp.File("audio"), 3.0, 0.5);
        EmbedderResult Run(ClipCrop crop, int seed) =>
            new Embedder(encoder, Stats, new EmbedderOptions { Config = Config, Crop = crop, Seed = seed }).EmbedFiles(files);
        using var a = Run(ClipCrop.Random, 1);
        using var b = Run(ClipCrop.Random, 1);
        using var c = Run(ClipCrop.Centre, 1);
        Assert.True(a.Embeddings.eq(b.Embeddings).all().item<bool>());
        Assert.False(a.Embeddings[0].allclose(c.Embeddings[0], rtol: 0, atol: 1e-4));
        // A short clip is padded, not cropped: both modes agree on it.
        Assert.True(a.Embeddings[1].allclose(c.Embeddings[1], rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Unreadable_files_fail_by_name_or_are_skipped_and_listed()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        var good = EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5, 0.7, 0.9);
        var garbage = tmp.File("audio/garbage.wav");
        File.WriteAllText(garbage, "not audio at all");
        var stereo = tmp.File("audio/stereo.wav");
        WavFile.WritePcm16(stereo, new float[1600], 8000);
        var zeroBits = tmp.File("audio/zero-bits.wav"); // a header that once aborted the whole batch with a division by zero
        var bytes = File.ReadAllBytes(good[0]);
        bytes[34] = bytes[35] = 0;
        File.WriteAllBytes(zeroBits, bytes);
        var files = new[] { good[0], garbage, good[1], stereo, zeroBits, good[2] };

        var strict = new Embedder(encoder, Stats, new EmbedderOptions { Config = Config, BatchSize = 2 });
        var e = Assert.Throws<ByolAException>(() => strict.EmbedFiles(files));
        Assert.Contains(garbage, e.Message);

        using var lenient = new Embedder(encoder, Stats, new EmbedderOptions { Config = Config, BatchSize = 2, SkipBad = true });
        using var result = lenient.EmbedFiles(files);
        Assert.Equal(new[] { good[0], good[1], good[2] }, result.Files);
        Assert.Equal(new[] { garbage, stereo, zeroBits }, result.Skipped.Select(s => s.Path));
        Assert.Contains("convert-wav", result.Skipped[1].Reason);
        Assert.Contains("0 bits per sample", result.Skipped[2].Reason);
        Assert.Equal(new long[] { 3, 32 }, result.Embeddings.shape);
        using var clean = lenient.EmbedFiles(good);
        Assert.True(clean.Embeddings.allclose(result.Embeddings, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Equal(nameof(EmbedderOptions.BatchSize), Assert.Throws<OptionException>(() => new EmbedderOptions { BatchSize = 0 }.Validate()).Option);
        Assert.Equal(nameof(EmbedderOptions.Workers), Assert.Throws<OptionException>(() => new EmbedderOptions { Workers = 0 }.Validate()).Option);
        using var encoder = new ByolA.Models.AudioNTT2020(64, 32);
        var e = Assert.Throws<ByolAException>(() => new Embedder(encoder, Stats, new EmbedderOptions { Config = Config with { NMels = 80, Shape = [80, 96] } }));
        Assert.Contains("n_mels", e.Message);
        e = Assert.Throws<ByolAException>(() => new Embedder(encoder, Stats, new EmbedderOptions { Config = Config with { UnitSec = 0.01 } }));
        Assert.Contains("frames", e.Message);
    }
}
