using ByolA.Audio;
using ByolA.Embedding;
using ByolA.Configuration;
using ByolA.Models;
using static TorchSharp.torch;

namespace ByolA.Tests.Embedding;

public class FrameEmbedderTests
{
    static readonly NormStats Stats = new(-6.0, 4.5);

    /// <summary>A seeded random encoder in eval mode with non-trivial BatchNorm statistics (so eval BN matters).</summary>
    static IAudioEncoder Encoder(bool v2, int seed = 5)
    {
        manual_seed(seed);
        IAudioEncoder encoder = v2 ? new AudioNTT2022(64, 1100) : new AudioNTT2020(64, 48);
        using (no_grad())
            foreach (var (name, buffer) in encoder.Module.named_buffers())
            {
                if (name.EndsWith("running_mean")) buffer.copy_(randn_like(buffer) * 0.1);
                if (name.EndsWith("running_var")) buffer.copy_(rand_like(buffer) + 0.5);
            }
        encoder.Module.eval();
        return encoder;
    }

    /// <summary>The frames of one pass over the whole file: log-mel of all samples, normalised, encoded at once.</summary>
    static Tensor SinglePass(IAudioEncoder encoder, float[] samples)
    {
        using var logMel = new LogMelSpectrogram(ByolAConfig.V1.FrontEnd);
        using var inference = inference_mode();
        var lms = Stats.Normalise(logMel.forward(tensor(samples)));
        return encoder.Frames(lms.unsqueeze(0).unsqueeze(0))[0];
    }

    static void AssertFramesEqual(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        var scale = expected.abs().amax([1L]).clamp_min(1e-3);
        var err = ((actual - expected).abs().amax([1L]) / scale).max().item<float>();
        Assert.True(err <= 1e-5, $"largest per-frame relative error {err}");
    }

    [Theory]
    [InlineData(false, 60.0)]   // v1: stride 8, three conv blocks; 6001 log-mel frames
    [InlineData(true, 12.3)]    // v2: stride 4, two conv blocks; an odd length whose last frames are dropped by pooling
    public void Chunked_frames_equal_a_single_pass_over_the_whole_file(bool v2, double seconds)
    {
        using var scope = NewDisposeScope();
        using var encoder = Encoder(v2);
        var samples = EmbedderTestAudio.Tone(seconds, 2);
        var expected = SinglePass(encoder, samples);
        // Small chunks: many chunk edges, each with its own context and edge padding.
        using var embedder = new FrameEmbedder(encoder, Stats, ByolAConfig.V1, chunkFrames: v2 ? 100 : 1000);
        var chunks = embedder.FrameChunks(samples).ToList();
        Assert.True(chunks.Count > 5, $"only {chunks.Count} chunks");
        AssertFramesEqual(expected, cat(chunks, 0));
        Assert.Equal(expected.shape[0], embedder.FrameCount(samples.Length));
    }

    [Fact]
    public void Frame_times_are_the_centres_of_the_log_mel_frames_each_frame_pools()
    {
        using var v1 = Encoder(false);
        using var v2 = Encoder(true);
        using var e1 = new FrameEmbedder(v1, Stats, ByolAConfig.V1);
        using var e2 = new FrameEmbedder(v2, Stats, ByolAConfig.V1);
        Assert.Equal(80.0, e1.FrameHopMs);
        Assert.Equal(40.0, e2.FrameHopMs);
        // v1 frame j pools log-mel frames 8j..8j+7, centred at 10 ms steps: (8j + 3.5) · 10 ms.
        Assert.Equal([35f, 115f, 195f], e1.FrameTimesMs(3));
        Assert.Equal([15f, 55f, 95f], e2.FrameTimesMs(3));
        // 1 s = 101 log-mel frames → 12 frames (v1), 25 frames (v2).
        Assert.Equal(12, e1.FrameCount(16000));
        Assert.Equal(25, e2.FrameCount(16000));
    }

    [Fact]
    public void Whole_file_embedding_pools_all_frames_and_short_audio_is_padded_at_its_end()
    {
        using var scope = NewDisposeScope();
        using var encoder = Encoder(false);
        using var embedder = new FrameEmbedder(encoder, Stats, ByolAConfig.V1, chunkFrames: 256);
        var samples = EmbedderTestAudio.Tone(7.0, 1);
        var frames = embedder.Frames(samples);
        var whole = embedder.Whole(samples);
        var pooled = TemporalPooling.MaxPlusMean(frames.unsqueeze(0))[0];
        var err = (whole - pooled).abs().max().item<float>() / pooled.abs().max().item<float>();
        Assert.True(err < 1e-5, $"relative error {err}");

        var tiny = samples[..300];
        Assert.True(embedder.IsPadded(tiny.Length));
        var padded = new float[embedder.MinSamples];
        tiny.CopyTo(padded, 0);
        Assert.Equal(1, embedder.FrameCount(tiny.Length));
        Assert.True((embedder.Whole(tiny) - embedder.Whole(padded)).abs().max().item<float>() == 0);
    }

    [Fact]
    public void Windows_are_clip_embeddings_of_unit_sec_slices_every_hop()
    {
        using var scope = NewDisposeScope();
        using var encoder = Encoder(false);
        var config = ByolAConfig.V1;
        using var engine = TorchSharpEngine.ForEncoder(encoder, config);
        var samples = EmbedderTestAudio.Tone(2.0, 3);
        int hop = 4000;                                       // 250 ms
        var (windows, times) = WholeFileEmbedding.Windows(engine, Stats, config, samples, hop, batchSize: 2);
        var rows = tensor(windows.Values, windows.Shape);
        int expectedCount = 1 + (samples.Length - config.UnitSamples) / hop;
        Assert.Equal(expectedCount, (int)rows.shape[0]);
        Assert.Equal(expectedCount, times.Length);
        Assert.Equal(475f, times[0]);                         // centre of the first 0.95 s window
        Assert.Equal(725f, times[1]);
        using var logMel = new LogMelSpectrogram(config.FrontEnd);
        for (int w = 0; w < expectedCount; w++)
        {
            var clip = tensor(samples.AsSpan(w * hop, config.UnitSamples).ToArray()).unsqueeze(0);
            using var inference = inference_mode();
            var expected = encoder.Pooled(Stats.Normalise(logMel.forward(clip)).unsqueeze(1))[0];
            Assert.True((rows[w] - expected).abs().max().item<float>() <= 1e-5 * Math.Max(1, expected.abs().max().item<float>()), $"window {w}");
        }
    }

    [Fact]
    public void A_bf16_engine_returns_float32_embeddings_near_the_fp32_ones_and_leaves_fp32_untouched()
    {
        using var encoder = Encoder(false);
        var config = ByolAConfig.V1;
        var clips = EmbedderTestAudio.Tone(config.UnitSec * 2, 3)[..(2 * config.UnitSamples)];
        using var fp32 = TorchSharpEngine.ForEncoder(encoder, config);
        using var bf16 = TorchSharpEngine.ForEncoder(encoder, config, precision: ByolA.Runtime.NumericPrecision.Bf16);
        var reference = fp32.EmbedClips(clips, 2, config.UnitSamples, Stats, frames: false);
        var mixed = bf16.EmbedClips(clips, 2, config.UnitSamples, Stats, frames: false);
        var again = fp32.EmbedClips(clips, 2, config.UnitSamples, Stats, frames: false);
        Assert.Equal(reference.Values, again.Values);   // FP32 to the bit after a bf16 engine has run
        Assert.Equal(reference.Shape, mixed.Shape);
        Assert.NotEqual(reference.Values, mixed.Values);
        // bfloat16 keeps 8 significant bits: per embedding, the difference is a few per cent of its norm at most.
        for (int row = 0; row < 2; row++)
        {
            int d = (int)reference.Shape[1];
            var a = reference.Values.AsSpan(row * d, d).ToArray();
            var b = mixed.Values.AsSpan(row * d, d).ToArray();
            double diff = Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum()), norm = Math.Sqrt(a.Sum(x => (double)x * x));
            Assert.True(diff < 0.05 * norm, $"row {row}: |bf16 − fp32| = {diff:G3}, |fp32| = {norm:G3}");
        }
    }
}
