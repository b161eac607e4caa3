using ByolA.Data;
using ByolA.Embedding;
using ByolA.Embedding.Formats;
using System.Text;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Embedding.Formats;

public class EmbedderOutputTests
{
    [Fact]
    public void Npy_has_a_numpy_header_and_round_trips()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        var values = arange(0, 3 * 4 * 5, dtype: float32).reshape(3, 4, 5) / 7;
        var path = tmp.File("e.npy");
        EmbedderOutput.WriteNpy(path, values.data<float>().ToArray(), values.shape);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        int headerLen = bytes[8] | bytes[9] << 8;
        Assert.Equal(0, (10 + headerLen) % 64);
        var header = Encoding.ASCII.GetString(bytes, 10, headerLen);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4, 5), }", header);
        Assert.EndsWith("\n", header);
        Assert.Equal(10 + headerLen + 60 * 4, bytes.Length);
        Assert.Equal(1f / 7, BitConverter.ToSingle(bytes, 10 + headerLen + 4));
        var back = EmbedderOutput.ReadNpy(path);
        Assert.Equal(values.shape, back.shape);
        Assert.True(values.eq(back).all().item<bool>());
    }

    [Fact]
    public void Npy_output_writes_a_sidecar_and_csv_one_row_per_file()
    {
        using var tmp = new TempDir();
        using var scope = NewDisposeScope();
        float[] values = [0.5f, -1.25f, 3f, 1e-8f];
        string[] files = ["a/x.wav", "b,\"q\".wav"];
        var written = EmbedderOutput.Write(tmp.File("out.npy"), files, values, [2, 2]);
        Assert.Equal(new[] { tmp.File("out.npy"), tmp.File("out.files.npy") }, written);
        Assert.Equal(files, EmbedderOutput.ReadFileList(tmp.File("out.files.npy")));
        EmbedderOutput.Write(tmp.File("out.csv"), files, values, [2, 2]);
        Assert.Equal(new[] { "file,e0,e1", "a/x.wav,0.5,-1.25", "\"b,\"\"q\"\".wav\",3,1E-08" }, File.ReadAllLines(tmp.File("out.csv")));
        EmbedderOutput.Write(tmp.File("frames.csv"), files[..1], values, [1, 2, 2]);
        Assert.Equal(new[] { "file,frame,e0,e1", "a/x.wav,0,0.5,-1.25", "a/x.wav,1,3,1E-08" }, File.ReadAllLines(tmp.File("frames.csv")));
        Assert.Throws<ByolAException>(() => EmbedderOutput.Write(tmp.File("out.txt"), files, values, [2, 2]));
        Assert.Empty(Directory.GetFiles(tmp.Path, "*byola-tmp*"));
    }

    [Fact]
    public void Inputs_expand_folders_sorted_and_reject_missing_paths()
    {
        using var tmp = new TempDir();
        var paths = EmbedderTestAudio.WriteClips(tmp.File("d/sub"), 0.1, 0.1);
        File.WriteAllText(tmp.File("d/readme.txt"), "x");
        var single = EmbedderTestAudio.WriteClips(tmp.File("e"), 0.1)[0];
        var files = EmbedderInputs.Expand([single, tmp.File("d"), paths[0]]);
        Assert.Equal(new[] { single, paths[0], paths[1] }, files);
        Assert.Contains("no such file", Assert.Throws<ByolAException>(() => EmbedderInputs.Expand([tmp.File("nope")])).Message);
        Directory.CreateDirectory(tmp.File("empty"));
        Assert.Contains("holds no audio files", Assert.Throws<ByolAException>(() => EmbedderInputs.Expand([tmp.File("empty")])).Message);
    }
}
