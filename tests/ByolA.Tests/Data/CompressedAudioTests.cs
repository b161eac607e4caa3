using ByolA.Audio;
using ByolA.Data;
using ByolA.Embedding.Formats;
using ByolA.Tests.Embedding;
using ByolA.Tests.Support;
using static ByolA.Tests.Support.CliRunner;

namespace ByolA.Tests.Data;

/// <summary>Compressed audio through every verb's one path: finder, clip source, convert-wav, embed, ByolAModel.</summary>
public class CompressedAudioTests
{
    static ClipSourceOptions Options(int unit, bool skip = false) => new()
    {
        SampleRate = 16000, UnitSamples = unit, Workers = 2, SkipUnreadable = skip, Convert = AudioConversion.ToMono,
    };

    [Fact]
    public void The_finder_collects_every_audio_extension_or_only_those_asked_for()
    {
        using var dir = new TempDir();
        foreach (var name in new[] { "a.wav", "b.FLAC", "c/d.mp3", "e.ogg", "f.opus", "g.m4a", "notes.txt", "h.jpg" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(dir.File(name))!);
            File.WriteAllText(dir.File(name), "x");
        }
        Assert.Equal(["a.wav", "b.FLAC", "c/d.mp3", "e.ogg", "f.opus", "g.m4a"],
            AudioFileFinder.Find(dir.Path).Select(f => Path.GetRelativePath(dir.Path, f).Replace('\\', '/')));
        Assert.Equal(["b.FLAC", "c/d.mp3"],
            AudioFileFinder.Find(dir.Path, extensions: ["flac", "mp3"]).Select(f => Path.GetRelativePath(dir.Path, f).Replace('\\', '/')));
    }

    [Fact]
    public void A_compressed_file_gives_the_clips_of_its_convert_wav_output_to_the_bit()
    {
        using var dir = new TempDir();
        var mp3 = Fixtures.Path_("lossy/stereo44k.mp3");
        var converted = dir.File("stereo44k.wav");
        WavConverter.ConvertFile(mp3, converted, 16000);
        foreach (var unit in new[] { 4000, 20000 }) // cropped and padded
        {
            var direct = new ClipSource([mp3, mp3], Options(unit) with { Crop = ClipCrop.Random, Seed = 7 });
            var viaWav = new ClipSource([converted, converted], Options(unit) with { Crop = ClipCrop.Random, Seed = 7 });
            Assert.Equal(viaWav.Load([0, 1], epoch: 3).Samples, direct.Load([0, 1], epoch: 3).Samples);
        }
        Assert.Equal(WavFile.Read(converted).Channels[0], AudioLoader.LoadMono(mp3, 16000, convert: AudioConversion.ToMono));
    }

    [Fact]
    public void Without_a_converter_a_compressed_file_at_another_rate_is_refused_with_the_convert_wav_hint()
    {
        var path = Fixtures.Path_("lossy/stereo44k.ogg");
        var e = Assert.Throws<ByolAException>(() => AudioLoader.LoadMono(path, 16000));
        Assert.Equal($"{path}: 44100 Hz stereo, expected 16000 Hz mono; run `byola convert-wav` first", e.Message);
    }

    [Fact]
    public void Convert_wav_converts_every_format_keeps_relative_paths_and_narrows_by_extension()
    {
        using var dir = new TempDir();
        var from = dir.File("from");
        Directory.CreateDirectory(Path.Combine(from, "sub"));
        File.Copy(Fixtures.Path_("flac/stereo24.flac"), Path.Combine(from, "a.flac"));
        File.Copy(Fixtures.Path_("lossy/stereo44k.mp3"), Path.Combine(from, "sub", "b.mp3"));
        File.Copy(Fixtures.Path_("lossy/mono16k.ogg"), Path.Combine(from, "c.ogg"));
        File.Copy(Fixtures.Path_("lossy/stereo44k.opus"), Path.Combine(from, "sub", "d.opus"));
        var report = WavConverter.Run(new ConvertWavOptions { From = from, To = dir.File("to"), Jobs = 2 });
        Assert.True(report.Succeeded, string.Join("; ", report.Failures.Select(f => f.Reason)));
        Assert.Equal(4, report.Converted);
        foreach (var (name, source) in new[] { ("a.wav", "a.flac"), ("sub/b.wav", "sub/b.mp3"), ("c.wav", "c.ogg"), ("sub/d.wav", "sub/d.opus") })
        {
            var layout = RiffWalker.Read(Path.Combine(dir.File("to"), name));
            Assert.Equal((16000, 1, 16), (layout.SampleRate, layout.Channels, layout.BitsPerSample));
            var decoded = AudioDecoder.Decode(Path.Combine(from, source));
            Assert.Equal(WavConverter.ConvertAudio(decoded, 16000).Length, (int)layout.Frames);
        }

        var narrowed = WavConverter.Run(new ConvertWavOptions { From = from, To = dir.File("only"), Jobs = 2, Extensions = ["mp3", "opus"] });
        Assert.Equal(2, narrowed.Converted);
        Assert.Equal(["b.wav", "d.wav"], Directory.GetFiles(Path.Combine(dir.File("only"), "sub")).Select(Path.GetFileName).Order());
        Assert.False(Directory.Exists(Path.Combine(dir.File("only"), "a.wav")) || File.Exists(Path.Combine(dir.File("only"), "a.wav")));
    }

    [Fact]
    public void Convert_wav_refuses_two_sources_with_the_same_output_naming_both()
    {
        using var dir = new TempDir();
        var from = dir.File("from");
        Directory.CreateDirectory(from);
        File.Copy(Fixtures.Path_("embed-clip.flac"), Path.Combine(from, "talk.flac"));
        File.Copy(Fixtures.Path_("lossy/mono16k.mp3"), Path.Combine(from, "talk.mp3"));
        var e = Assert.Throws<ByolAException>(() => WavConverter.Run(new ConvertWavOptions { From = from, To = dir.File("to") }));
        Assert.Contains(Path.Combine(from, "talk.flac"), e.Message);
        Assert.Contains(Path.Combine(from, "talk.mp3"), e.Message);
        Assert.Contains(Path.Combine(dir.File("to"), "talk.wav"), e.Message);
        Assert.False(File.Exists(Path.Combine(dir.File("to"), "talk.wav")));
        // Narrowed to one extension, the clash is gone.
        Assert.Equal(1, WavConverter.Run(new ConvertWavOptions { From = from, To = dir.File("to"), Extensions = ["flac"] }).Converted);
    }

    [Fact]
    public void Convert_wav_ext_flag_narrows_and_an_unknown_extension_is_a_usage_error()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("from"));
        File.Copy(Fixtures.Path_("embed-clip.flac"), dir.File("from/a.flac"));
        File.Copy(Fixtures.Path_("lossy/mono16k.mp3"), dir.File("from/b.mp3"));
        var (code, output, err) = Run("convert-wav", dir.File("from"), dir.File("to"), "--ext", "flac");
        Assert.True(code == 0, err);
        Assert.Contains("1 audio file(s): 1 converted", output);
        Assert.True(File.Exists(dir.File("to/a.wav")));
        Assert.False(File.Exists(dir.File("to/b.wav")));
        (code, _, err) = Run("convert-wav", dir.File("from"), dir.File("to2"), "--ext", "flac,xyz");
        Assert.Equal(2, code);
        Assert.Contains("--ext", err);
        Assert.Contains("xyz", err);
    }

    [Fact]
    public void Embed_of_a_flac_equals_embed_of_its_wav_to_the_bit()
    {
        using var tmp = new TempDir();
        using var encoder = EmbedderTestAudio.TinyEncoder(tmp.File("w.pth"));
        foreach (var name in new[] { "embed-clip.wav", "embed-clip.flac" })
        {
            var (code, _, err) = Run("embed", tmp.File("w.pth"), Fixtures.Path_(name), "--out", tmp.File(name + ".npy"), "--stats", "-6,4", "--device", "cpu", "--threads", "1");
            Assert.True(code == 0, err);
        }
        using var wav = EmbedderOutput.ReadNpy(tmp.File("embed-clip.wav.npy"));
        using var flac = EmbedderOutput.ReadNpy(tmp.File("embed-clip.flac.npy"));
        Assert.Equal(wav.data<float>().ToArray(), flac.data<float>().ToArray());

        using var model = ByolAModel.Load(tmp.File("w.pth"), new NormStats(-6, 4));
        Assert.Equal(model.EmbedFile(Fixtures.Path_("embed-clip.wav")), model.EmbedFile(Fixtures.Path_("embed-clip.flac")));
        // A 44.1 kHz stereo MP3 embeds as its convert-wav output does.
        var converted = tmp.File("stereo44k.wav");
        WavConverter.ConvertFile(Fixtures.Path_("lossy/stereo44k.mp3"), converted, 16000);
        Assert.Equal(model.EmbedFile(converted), model.EmbedFile(Fixtures.Path_("lossy/stereo44k.mp3")));
    }
}
