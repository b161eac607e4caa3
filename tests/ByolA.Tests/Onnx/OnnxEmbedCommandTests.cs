using ByolA.Audio;
using ByolA.Tests.Embedding;
using ByolA.Embedding;
using ByolA.Embedding.Formats;
using System.Diagnostics;
using ByolA.Cli;
using ByolA.Onnx;
using ByolA.Tests.Support;
using static ByolA.Tests.Support.CliRunner;

namespace ByolA.Tests.Onnx;

/// <summary><c>byola export</c> and <c>byola embed MODEL.onnx</c>: same options and outputs as with the .pth weights.</summary>
public class OnnxEmbedCommandTests
{
    [Fact]
    public void Embed_with_the_exported_model_equals_embed_with_the_weights()
    {
        using var tmp = new TempDir();
        using (EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"))) { }
        EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5, 1.2, 0.9);
        var (code, output, err) = Run("export", tmp.File("w.pth"), tmp.File("m.onnx"), "--frames", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("AudioNTT2020 d=32", output);
        var info = OnnxModelFile.Load(tmp.File("m.onnx")).Info;
        Assert.Equal(80.0, info.FrameHopMs);
        Assert.Null(info.Stats);
        Assert.Equal(64, info.SourceSha256.Length);

        // Stats computed from the inputs, pooled .npy.
        (code, _, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--out", tmp.File("pth.npy"), "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        (code, _, var onnxErr) = Run("embed", tmp.File("m.onnx"), tmp.File("audio"), "--out", tmp.File("onnx.npy"), "--batch", "2");
        Assert.True(code == ExitCodes.Ok, onnxErr);
        Assert.Equal(StatsLine(err), StatsLine(onnxErr), new StatsComparer());
        AssertClose(tmp.File("pth.npy"), tmp.File("onnx.npy"));
        Assert.Equal(EmbedderOutput.ReadFileList(tmp.File("pth.files.npy")), EmbedderOutput.ReadFileList(tmp.File("onnx.files.npy")));

        // Given stats, frames.
        (code, _, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--out", tmp.File("pf.npy"), "--frames", "--stats", "-6,4", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        (code, _, err) = Run("embed", tmp.File("m.onnx"), tmp.File("audio"), "--out", tmp.File("of.npy"), "--frames", "--stats", "-6,4");
        Assert.True(code == ExitCodes.Ok, err);
        AssertClose(tmp.File("pf.npy"), tmp.File("of.npy"));

        // bf16 is libtorch's autocast: the .pth embeds in it, an ONNX model refuses it under the flag that asked.
        (code, _, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--out", tmp.File("pb.npy"), "--stats", "-6,4", "--device", "cpu", "--precision", "bf16");
        Assert.True(code == ExitCodes.Ok, err);
        (code, _, err) = Run("embed", tmp.File("m.onnx"), tmp.File("audio"), "--out", tmp.File("ob.npy"), "--stats", "-6,4", "--precision", "bf16");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--precision", err);
    }

    [Fact]
    public void A_front_end_model_needs_stats_and_embeds_with_them_by_default()
    {
        using var tmp = new TempDir();
        using (EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"))) { }
        EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5, 1.2);
        var (code, _, err) = Run("export", tmp.File("w.pth"), tmp.File("m.onnx"), "--frontend");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--stats", err);
        Assert.False(File.Exists(tmp.File("m.onnx")));

        (code, _, err) = Run("export", tmp.File("w.pth"), tmp.File("m.onnx"), "--frontend", "--stats", "-6,4", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        (code, _, err) = Run("embed", tmp.File("m.onnx"), tmp.File("audio"), "--out", tmp.File("o.csv"));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("stats from the model: mean,std = -6,4", err);
        (code, _, err) = Run("embed", tmp.File("w.pth"), tmp.File("audio"), "--out", tmp.File("p.csv"), "--stats", "-6,4", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        var ours = File.ReadAllLines(tmp.File("o.csv"));
        var reference = File.ReadAllLines(tmp.File("p.csv"));
        Assert.Equal(reference[0], ours[0]);
        Assert.Equal(reference.Length, ours.Length);

        (code, _, err) = Run("embed", tmp.File("m.onnx"), tmp.File("audio"), "--layered");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("without layered features", err);
    }

    /// <summary>
    /// The embed process with an .onnx model never maps libtorch: the dynamic linker's own log (LD_DEBUG=files) of a
    /// real <c>byola</c> process lists every shared object it opens, ONNX Runtime's but no libtorch.
    /// </summary>
    [Fact]
    public async Task Embed_with_an_onnx_model_never_loads_libtorch()
    {
        if (!OperatingSystem.IsLinux()) return; // LD_DEBUG is glibc's; elsewhere there is nothing to observe this way
        using var tmp = new TempDir();
        using (EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"))) { }
        EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5, 1.2);
        var (code, _, err) = Run("export", tmp.File("w.pth"), tmp.File("m.onnx"), "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);

        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ByolA.Cli.dll"), "embed", tmp.File("m.onnx"), tmp.File("audio"), "--out", tmp.File("e.npy")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            Environment = { ["LD_DEBUG"] = "files" },
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var log = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, log[^Math.Min(2000, log.Length)..]);
        Assert.Contains("libonnxruntime.so", log);
        Assert.DoesNotContain("libtorch", log);
        Assert.DoesNotContain("LibTorchSharp", log);
        Assert.Contains("2 × 32", await stdout);
    }

    /// <summary>
    /// One embed job serves both engines: whole files, timestamps and shards, which the ONNX path once refused, give the
    /// .pth run's rows within the ONNX parity bound, with the same times and file offsets.
    /// </summary>
    [Fact]
    public void Whole_files_timestamps_and_shards_run_on_an_exported_model_as_on_the_weights()
    {
        using var tmp = new TempDir();
        using (EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"))) { }
        EmbedderTestAudio.WriteClips(tmp.File("audio"), 2.5, 0.04, 1.0);
        var (code, _, err) = Run("export", tmp.File("w.pth"), tmp.File("m.onnx"), "--frames", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        foreach (var weights in new[] { "w.pth", "m.onnx" })
        {
            var name = Path.GetFileNameWithoutExtension(weights);
            (code, _, err) = Run("embed", tmp.File(weights), tmp.File("audio"), "--whole", "--stats", "-6,4", "--out", tmp.File($"{name}-whole.npy"));
            Assert.True(code == ExitCodes.Ok, err);
            (code, _, err) = Run("embed", tmp.File(weights), tmp.File("audio"), "--timestamps", "--stats", "-6,4", "--out", tmp.File($"{name}-t.npz"));
            Assert.True(code == ExitCodes.Ok, err);
            Assert.Contains("zero-padded", err);                                         // the 40 ms clip
            (code, _, err) = Run("embed", tmp.File(weights), tmp.File("audio"), "--shard", "2/3", "--stats", "-6,4", "--batch", "1", "--out", tmp.File($"{name}-p2.npz"));
            Assert.True(code == ExitCodes.Ok, err);
        }
        AssertClose(tmp.File("w-whole.npy"), tmp.File("m-whole.npy"));
        foreach (var (archive, member) in new[] { ("t", "embeddings"), ("p2", "embeddings") })
        {
            var reference = NpzMember(tmp.File($"w-{archive}.npz"), member, out var shape);
            var ours = NpzMember(tmp.File($"m-{archive}.npz"), member, out var oursShape);
            Assert.Equal(shape, oursShape);
            double max = reference.Max(Math.Abs), diff = reference.Zip(ours, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(diff <= 1e-4 * max, $"{archive}: scaled error {diff / max:E2}");
        }
        Assert.Equal(NpzMember(tmp.File("w-t.npz"), "timestamps", out _), NpzMember(tmp.File("m-t.npz"), "timestamps", out _));
        Assert.Equal(new long[] { 1, 32 }, NpzShape(tmp.File("m-p2.npz")));                // the second of three one-clip batches
    }

    static float[] NpzMember(string npz, string name, out long[] shape) => Cli.EmbedWholeFileCommandTests.Member<float>(npz, name, out shape);

    static long[] NpzShape(string npz)
    {
        NpzMember(npz, "embeddings", out var shape);
        return shape;
    }

    static string StatsLine(string err) => err.Split('\n').Single(l => l.Contains("normalisation stats from the inputs"));

    sealed class StatsComparer : IEqualityComparer<string>
    {
        public bool Equals(string? a, string? b)
        {
            var x = NormStats.Parse(a![(a!.LastIndexOf('=') + 1)..].Trim());
            var y = NormStats.Parse(b![(b!.LastIndexOf('=') + 1)..].Trim());
            return Math.Abs(x.Mean - y.Mean) < 1e-4 * Math.Abs(x.Mean) && Math.Abs(x.Std - y.Std) < 1e-4 * x.Std;
        }

        public int GetHashCode(string s) => 0;
    }

    static void AssertClose(string reference, string ours)
    {
        using var r = EmbedderOutput.ReadNpy(reference);
        using var o = EmbedderOutput.ReadNpy(ours);
        Assert.Equal(r.shape, o.shape);
        double scaled = (o - r).abs().max().item<float>() / r.abs().max().item<float>();
        Assert.True(scaled <= 1e-4, $"scaled error {scaled:E2}");
    }

    [Theory]
    [InlineData("stats_std", "0")]
    [InlineData("stats_std", "NaN")]
    [InlineData("stats_mean", "NaN")]
    [InlineData("stats_std", "1e-300")]
    public void Stats_in_a_model_s_metadata_are_validated_like_given_stats(string key, string value)
    {
        using var tmp = new TempDir();
        using (EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"))) { }
        EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5, 1.2);
        var (code, _, err) = Run("export", tmp.File("w.pth"), tmp.File("m.onnx"), "--stats", "-6,4", "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        var (model, _) = OnnxModelFile.Load(tmp.File("m.onnx"));
        Assert.Single(model.MetadataProps, p => p.Key == key).Value = value;
        File.WriteAllBytes(tmp.File("m.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(model));
        (code, _, err) = Run("embed", tmp.File("m.onnx"), tmp.File("audio"), "--out", tmp.File("o.npy"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("stats_mean/stats_std in its metadata cannot normalise", err);
        Assert.Contains("--stats", err);
        Assert.False(File.Exists(tmp.File("o.npy")));
        // Given stats take the place of the model's.
        (code, _, err) = Run("embed", tmp.File("m.onnx"), tmp.File("audio"), "--out", tmp.File("o.npy"), "--stats", "-6,4");
        Assert.True(code == ExitCodes.Ok, err);
    }

    /// <summary>Exports the tiny encoder to m.onnx in <paramref name="tmp"/>, lets <paramref name="edit"/> change it, writes it back.</summary>
    static string ExportEdited(TempDir tmp, Action<global::Onnx.ModelProto> edit, string name = "m.onnx")
    {
        using (EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"))) { }
        EmbedderTestAudio.WriteClips(tmp.File("audio"), 0.5, 1.2);
        var (code, _, err) = Run("export", tmp.File("w.pth"), tmp.File(name), "--device", "cpu");
        Assert.True(code == ExitCodes.Ok, err);
        var (model, _) = OnnxModelFile.Load(tmp.File(name));
        edit(model);
        File.WriteAllBytes(tmp.File(name), Google.Protobuf.MessageExtensions.ToByteArray(model));
        return tmp.File(name);
    }

    [Fact]
    public void A_model_with_a_renamed_output_is_one_line_naming_the_outputs()
    {
        using var tmp = new TempDir();
        var path = ExportEdited(tmp, model =>
        {
            foreach (var node in model.Graph.Node)
                for (int i = 0; i < node.Output.Count; i++)
                    if (node.Output[i] == "embedding") node.Output[i] = "emb";
            Assert.Single(model.Graph.Output, o => o.Name == "embedding").Name = "emb";
        });
        var (code, _, err) = Run("embed", path, tmp.File("audio"), "--out", tmp.File("o.npy"), "--stats", "-6,4");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("has no 'embedding' output (it has 'emb'", err);
        Assert.DoesNotContain("unexpected", err);
    }

    [Fact]
    public void A_model_onnx_runtime_cannot_load_fails_before_the_stats_pass_without_a_skip_hint()
    {
        using var tmp = new TempDir();
        var path = ExportEdited(tmp, model => model.Graph.Node[^1].OpType = "NoSuchOperator");
        var (code, _, err) = Run("embed", path, tmp.File("audio"), "--out", tmp.File("o.npy"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("ONNX Runtime cannot load the model", err);
        Assert.DoesNotContain("--skip-bad", err);
        Assert.DoesNotContain("normalisation stats from", err);
        (code, _, err) = Run("embed", path, tmp.File("audio"), "--out", tmp.File("o.npy"), "--stats", "-6,4");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.DoesNotContain("--skip-bad", err);
    }

    [Fact]
    public void External_tensor_data_is_found_next_to_the_model_whatever_the_current_folder()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.File("models"));
        var inline = ExportEdited(tmp, _ => { });
        var (code, _, err) = Run("embed", inline, tmp.File("audio"), "--out", tmp.File("inline.npy"), "--stats", "-6,4");
        Assert.True(code == ExitCodes.Ok, err);
        // The same model with every initializer in models/weights.bin, named relative to the model (ONNX's rule).
        var (model, _) = OnnxModelFile.Load(inline);
        using (var data = File.Create(tmp.File("models/weights.bin")))
            foreach (var t in model.Graph.Initializer.Where(t => t.RawData.Length > 0))
            {
                long offset = data.Position;
                t.RawData.WriteTo(data);
                t.ExternalData.Add(new global::Onnx.StringStringEntryProto { Key = "location", Value = "weights.bin" });
                t.ExternalData.Add(new global::Onnx.StringStringEntryProto { Key = "offset", Value = offset.ToString() });
                t.ExternalData.Add(new global::Onnx.StringStringEntryProto { Key = "length", Value = t.RawData.Length.ToString() });
                t.DataLocation = global::Onnx.TensorProto.Types.DataLocation.External;
                t.RawData = Google.Protobuf.ByteString.Empty;
            }
        File.WriteAllBytes(tmp.File("models/m.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(model));
        Assert.NotEqual(tmp.File("models"), Path.TrimEndingDirectorySeparator(Environment.CurrentDirectory));
        (code, _, err) = Run("embed", tmp.File("models/m.onnx"), tmp.File("audio"), "--out", tmp.File("external.npy"), "--stats", "-6,4");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Equal(File.ReadAllBytes(tmp.File("inline.npy")), File.ReadAllBytes(tmp.File("external.npy")));
    }
}
