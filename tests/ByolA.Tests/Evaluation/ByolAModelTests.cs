using ByolA.Configuration;
using ByolA.Evaluation;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Evaluation;

public class ByolAModelTests
{
    [Fact]
    public void Hear_shaped_calls_give_scene_and_timestamp_embeddings_of_sounds_of_any_length()
    {
        using var tmp = new TempDir();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        var files = EmbedderTestAudio.WriteClips(tmp.File("audio"), 1.0, 2.0);
        var stats = ByolAModel.ComputeStats(tmp.File("audio"));
        Assert.Equal(NormStatsCalculator.Compute(files, ByolAConfig.V1), stats);

        using var model = ByolAModel.Load(tmp.File("w.pth"), stats);
        Assert.Equal((16000, 32, 32, 80.0), (model.SampleRate, model.SceneEmbeddingSize, model.TimestampEmbeddingSize, model.TimestampHopMs));
        var audio = files.Select(EmbedderTestAudio.ReadBack).ToArray();

        var scene = model.SceneEmbeddings(audio, 16000);
        Assert.Equal(2, scene.Length);
        Assert.All(scene, row => Assert.Equal(32, row.Length));
        Assert.Equal(scene[1], model.EmbedFile(files[1]));

        var stamped = model.TimestampEmbeddings(audio, 16000);
        Assert.Equal([12, 25], stamped.Embeddings.Select(e => e.Length));        // 101 and 201 log-mel frames / 8
        Assert.Equal([35f, 115f], stamped.TimestampsMs[0][..2]);
        Assert.Equal(25, stamped.TimestampsMs[1].Length);
        using var frames = new FrameEmbedder(encoder, stats, ByolAConfig.V1);
        using var expected = frames.Frames(audio[1]);
        Assert.Equal(expected[7].data<float>().ToArray(), stamped.Embeddings[1][7]);

        Assert.Throws<ArgumentException>(() => model.SceneEmbeddings(audio, 44100));
    }
}
