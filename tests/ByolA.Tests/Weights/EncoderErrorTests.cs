using ByolA.Weights;
using ByolA.Models;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Weights;

/// <summary>Files that do not fit fail with one clear message naming the file and the shapes.</summary>
public class EncoderErrorTests
{
    static string SaveTinyV1(TempDir tmp, string name, int d = 32)
    {
        using var model = new AudioNTT2020(nMels: 16, d: d);
        var path = tmp.File(name);
        EncoderWeights.Save(model, path);
        return path;
    }

    [Fact]
    public void Wrong_d_names_the_file_and_both_shapes()
    {
        using var tmp = new TempDir();
        var path = SaveTinyV1(tmp, "tiny-d32.pth");
        var e = Assert.Throws<ByolAException>(() => EncoderLoader.Load(path, expectedFeatureD: 2048));
        Assert.Contains(path, e.Message);
        Assert.Contains("d=32", e.Message);
        Assert.Contains("d=2048", e.Message);
        Assert.Contains("[32, 128]", e.Message);

        using var wider = new AudioNTT2020(nMels: 16, d: 64);
        e = Assert.Throws<ByolAException>(() => EncoderLoader.LoadInto(wider, path));
        Assert.Contains(path, e.Message);
        Assert.Contains("fc.0.weight has shape [32, 128], but AudioNTT2020 (n_mels=16, d=64) expects [64, 128]", e.Message);
    }

    [Fact]
    public void Wrong_architecture_is_named()
    {
        using var tmp = new TempDir();
        var path = SaveTinyV1(tmp, "v1.pth");
        using var v2 = new AudioNTT2022(nMels: 16, d: 320, mlpHiddenD: 24);
        var e = Assert.Throws<ByolAException>(() => EncoderLoader.LoadInto(v2, path));
        Assert.Contains(path, e.Message);
        Assert.Contains("AudioNTT2022", e.Message);
        e = Assert.Throws<ByolAException>(() => EncoderLoader.Load(path, expectedArchitecture: ModelKind.AudioNTT2022));
        Assert.Contains("holds AudioNTT2020 weights", e.Message);

        var v2Path = tmp.File("v2.pth");
        EncoderWeights.Save(v2, v2Path);
        e = Assert.Throws<ByolAException>(() => EncoderLoader.Load(v2Path, layered: true));
        Assert.Contains("layered features exist only for AudioNTT2020", e.Message);
    }

    [Fact]
    public void Truncated_file_is_a_clear_error()
    {
        using var tmp = new TempDir();
        var path = SaveTinyV1(tmp, "full.pth");
        var bytes = File.ReadAllBytes(path);
        var cut = tmp.File("cut.pth");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<ByolAException>(() => EncoderLoader.Load(cut));
        Assert.Contains(cut, e.Message);
        Assert.Contains("a damaged or truncated zip archive", e.Message);
    }

    [Fact]
    public void Non_pytorch_and_missing_files_are_clear_errors()
    {
        using var tmp = new TempDir();
        var text = tmp.File("notes.pth");
        File.WriteAllText(text, "these are not weights");
        var e = Assert.Throws<ByolAException>(() => EncoderLoader.Load(text));
        Assert.Contains(text, e.Message);
        Assert.Contains("torch.save", e.Message);
        var missing = tmp.File("nope.pth");
        e = Assert.Throws<ByolAException>(() => EncoderLoader.Load(missing));
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void A_state_dict_without_encoder_keys_is_rejected()
    {
        using var tmp = new TempDir();
        var path = tmp.File("other.pth");
        using (var scope = NewDisposeScope())
            EncoderWeights.Save([new KeyValuePair<string, Tensor>("projector.net.0.weight", zeros(4, 4))], path);
        var e = Assert.Throws<ByolAException>(() => EncoderLoader.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("no BYOL-A encoder weights", e.Message);
    }

    [Fact]
    public void Wrong_input_shape_is_an_argument_error()
    {
        using var model = new AudioNTT2020(nMels: 16, d: 32);
        using var x = zeros(1, 1, 64, 96);
        var e = Assert.Throws<ArgumentException>(() => model.forward(x));
        Assert.Contains("(B, 1, 16, T) log-mel input with T >= 8", e.Message);
    }
}
