using ByolA.Audio;
using ByolA.Data;
using ByolA.Tests.Support;

namespace ByolA.Tests.Data;

/// <summary>
/// Hostile input (issue 26, item 4): each file built here from a good fixture is one clear line naming the file — never a
/// hang, a crash or silently shortened audio — and a clip source that skips bad files keeps the good ones.
/// </summary>
public class BadAudioTests
{
    static byte[] Bytes(string fixture) => File.ReadAllBytes(Fixtures.Path_(fixture));

    static byte[] Cut(byte[] data, double keep) => data[..(int)(data.Length * keep)];

    static byte[] Flip(byte[] data, int at)
    {
        var copy = (byte[])data.Clone();
        copy[at] ^= 0x5A;
        return copy;
    }

    /// <summary>(file name, content, what the line must say).</summary>
    public static IEnumerable<object[]> Cases()
    {
        var flac = Bytes("flac/mono16-best.flac");
        yield return ["cut.flac", Cut(flac, 0.6), "truncated"];
        // Near the end: the middle of a file from flac is its 8 KiB PADDING block, which holds no audio.
        yield return ["crc.flac", Flip(flac, flac.Length - 1000), "CRC"];
        // STREAMINFO's MD5 starts at byte 26 ("fLaC", block header, 18 bytes of fields): the frames stay intact.
        yield return ["md5.flac", Flip(flac, 30), "MD5"];
        yield return ["header-only.flac", flac[..42], "truncated"];
        var mp3 = Bytes("lossy/stereo44k.mp3");
        yield return ["cut.mp3", Cut(mp3, 0.5), "truncated"];
        int frame = AudioFormats.AudioStart(mp3);
        yield return ["garbage.mp3", mp3.AsSpan(frame, 4).ToArray().Concat(Enumerable.Repeat((byte)0x55, 3000)).ToArray(), "MP3"];
        var ogg = Bytes("lossy/stereo44k.ogg");
        yield return ["cut.ogg", Cut(ogg, 0.7), "truncated"];
        yield return ["crc.ogg", Flip(ogg, ogg.Length - 500), "CRC mismatch"];
        var opus = Bytes("lossy/stereo44k.opus");
        yield return ["cut.opus", Cut(opus, 0.7), "truncated"];
        yield return ["crc.opus", Flip(opus, opus.Length - 300), "CRC mismatch"];
        yield return ["page.flac", "<html>not found</html>"u8.ToArray(), "not audio in a format this reads"];
        yield return ["empty.mp3", Array.Empty<byte>(), "empty file (0 bytes)"];
        yield return ["zero.ogg", Bytes("bad/empty.ogg"), "zero-length stream"];
        yield return ["zero.opus", Bytes("bad/empty.opus"), "zero-length stream"];
        // A FLAC stream of no samples: STREAMINFO alone (last block), total 0, no MD5, no frames.
        var info = flac[..42];
        info[4] |= 0x80;
        for (int i = 21; i < 42; i++) info[i] = 0;
        info[21] = (byte)(flac[21] & 0xF0);
        yield return ["zero.flac", info, "zero-length stream"];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_bad_file_is_one_line_naming_it(string name, byte[] content, string says)
    {
        using var dir = new TempDir();
        var path = dir.File(name);
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<ByolAException>(() => AudioLoader.LoadMono(path, 16000, convert: AudioConversion.ToMono));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(says, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_clip_source_that_skips_bad_files_lists_them_and_keeps_the_good_ones()
    {
        using var dir = new TempDir();
        var files = new List<string>();
        foreach (var c in Cases())
        {
            var path = dir.File((string)c[0]);
            File.WriteAllBytes(path, (byte[])c[1]);
            files.Add(path);
        }
        files.Insert(3, Fixtures.Path_("lossy/mono16k.opus"));
        files.Add(Fixtures.Path_("embed-clip.flac"));
        var source = new ClipSource(files, new ClipSourceOptions
        {
            SampleRate = 16000, UnitSamples = 8000, Workers = 2, SkipUnreadable = true, Convert = AudioConversion.ToMono,
        });
        var batch = source.Load(Enumerable.Range(0, files.Count).ToArray(), 0);
        Assert.Equal([3, files.Count - 1], batch.Indices);
        Assert.Equal(files.Count - 2, source.UnreadableCount);

        var strict = new ClipSource(files, new ClipSourceOptions { SampleRate = 16000, UnitSamples = 8000, Convert = AudioConversion.ToMono });
        var e = Assert.Throws<ByolAException>(() => strict.Load(Enumerable.Range(0, files.Count).ToArray(), 0));
        Assert.StartsWith(files[0] + ": ", e.Message);
    }

    [Fact]
    public void Convert_wav_lists_bad_files_and_converts_the_rest()
    {
        using var dir = new TempDir();
        var from = dir.File("from");
        Directory.CreateDirectory(from);
        File.WriteAllBytes(Path.Combine(from, "cut.flac"), Cut(Bytes("flac/mono16-best.flac"), 0.5));
        File.WriteAllBytes(Path.Combine(from, "crc.ogg"), Flip(Bytes("lossy/mono16k.ogg"), 3000));
        File.Copy(Fixtures.Path_("lossy/mono16k.mp3"), Path.Combine(from, "good.mp3"));
        var report = WavConverter.Run(new ConvertWavOptions { From = from, To = dir.File("to"), Jobs = 2 });
        Assert.Equal(1, report.Converted);
        Assert.Equal(["crc.ogg", "cut.flac"], report.Failures.Select(f => Path.GetFileName(f.Source)));
        Assert.All(report.Failures, f => Assert.StartsWith(f.Source + ": ", f.Reason));
    }
}
