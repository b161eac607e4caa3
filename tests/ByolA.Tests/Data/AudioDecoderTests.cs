using ByolA.Data;
using ByolA.Tests.Support;

namespace ByolA.Tests.Data;

public class AudioDecoderTests
{
    /// <summary>
    /// The lossy decoders against the reference command-line decoders' 16-bit output (make-fixtures.sh): same rate, channels
    /// and length (encoder delay and padding cut as the reference does), and every sample within the stated tolerance.
    /// MP3 (NLayer vs mpg123) and Vorbis (NVorbis vs oggdec) agree to the 16-bit rounding of the reference: half a step
    /// (1/65536) plus float slack. Opus (Concentus vs opusdec --no-dither, libopus 1.3.1) differs by Concentus being a port
    /// of an older libopus: within 1/2048 (−66 dBFS), and on average far closer.
    /// </summary>
    [Theory]
    [InlineData("lossy/mono16k.mp3", "Mp3", 16000, 1, 1.0 / 65536 + 1e-6)]
    [InlineData("lossy/stereo44k.mp3", "Mp3", 44100, 2, 1.0 / 65536 + 1e-6)]
    [InlineData("lossy/mono16k.ogg", "OggVorbis", 16000, 1, 1.0 / 65536 + 1e-6)]
    [InlineData("lossy/stereo44k.ogg", "OggVorbis", 44100, 2, 1.0 / 65536 + 1e-6)]
    [InlineData("lossy/mono16k.opus", "OggOpus", 48000, 1, 1.0 / 2048)]
    [InlineData("lossy/stereo44k.opus", "OggOpus", 48000, 2, 1.0 / 2048)]
    public void Lossy_formats_match_the_reference_decoders(string name, string format, int rate, int channels, double tolerance)
    {
        var path = Fixtures.Path_(name);
        Assert.Equal(Enum.Parse<AudioFormat>(format), AudioFormats.Detect(path).Format);
        var ours = AudioDecoder.Decode(path);
        var reference = WavFile.Read(path + ".ref.wav");
        Assert.Equal((rate, channels, reference.Frames), (ours.SampleRate, ours.Channels.Length, ours.Frames));
        double worst = 0, sum = 0;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < ours.Frames; i++)
            {
                double d = Math.Abs(ours.Channels[c][i] - reference.Channels[c][i]);
                worst = Math.Max(worst, d);
                sum += d;
            }
        Assert.True(worst <= tolerance, $"{name}: largest difference {worst} > {tolerance}");
        Assert.True(sum / (channels * ours.Frames) <= tolerance / 2, $"{name}: mean difference {sum / (channels * ours.Frames)}");
    }

    /// <summary>
    /// Opus 5.1 (channel mapping family 1, four streams of which two coupled): the channel mean against opusdec's output
    /// mixed to mono by sox (opusdec reorders channels, the mean does not care). Within 1/1024: the Opus bound above plus
    /// sox's 16-bit rounding of the mean.
    /// </summary>
    [Fact]
    public void Multichannel_opus_matches_opusdec_in_its_channel_mean()
    {
        var ours = AudioDecoder.Decode(Fixtures.Path_("lossy/surround6.opus"));
        Assert.Equal((48000, 6), (ours.SampleRate, ours.Channels.Length));
        var mono = ours.ToMono();
        var reference = WavFile.Read(Fixtures.Path_("lossy/surround6.opus.mono-ref.wav")).Channels[0];
        Assert.Equal(reference.Length, mono.Length);
        double worst = 0;
        for (int i = 0; i < mono.Length; i++) worst = Math.Max(worst, Math.Abs(mono[i] - reference[i]));
        Assert.True(worst <= 1.0 / 1024, $"largest difference {worst}");
        Assert.True(mono.Max(Math.Abs) > 0.05f);
    }

    [Fact]
    public void Content_decides_not_the_name()
    {
        using var dir = new TempDir();
        var named = dir.File("really-flac.mp3");
        File.Copy(Fixtures.Path_("embed-clip.flac"), named);
        Assert.Equal(AudioFormat.Flac, AudioFormats.Detect(named).Format);
        Assert.Equal(WavFile.Read(Fixtures.Path_("embed-clip.wav")).Channels[0], AudioDecoder.Decode(named).Channels[0]);
        var wav = dir.File("really-wav.flac");
        File.Copy(Fixtures.Path_("embed-clip.wav"), wav);
        Assert.Equal(AudioFormat.Wav, AudioDecoder.Decode(wav) is { } a ? AudioFormats.Detect(wav).Format : default);
    }

    [Fact]
    public void An_mp3_after_an_id3_tag_is_found_and_decoded()
    {
        using var dir = new TempDir();
        var path = dir.File("tagged.mp3");
        var tag = new byte[10 + 300];
        "ID3"u8.CopyTo(tag);
        tag[3] = 4;
        tag[9] = 300 & 0x7F;
        tag[8] = 300 >> 7;
        File.WriteAllBytes(path, [.. tag, .. File.ReadAllBytes(Fixtures.Path_("lossy/mono16k.mp3"))]);
        Assert.Equal(AudioFormat.Mp3, AudioFormats.Detect(path).Format);
        Assert.Equal(AudioDecoder.Decode(Fixtures.Path_("lossy/mono16k.mp3")).Channels[0], AudioDecoder.Decode(path).Channels[0]);
    }

    [Fact]
    public void Ffmpeg_formats_decode_through_ffmpeg_when_it_is_on_PATH()
    {
        var path = Fixtures.Path_("lossy/mono16k.m4a");
        var format = AudioFormats.Detect(path);
        Assert.Equal(AudioFormat.Other, format.Format);
        Assert.StartsWith("MP4/M4A", format.Name);
        if (FfmpegDecoding.Find() == null)
        {
            var e = Assert.Throws<ByolAException>(() => AudioDecoder.Decode(path));
            Assert.Contains("needs ffmpeg", e.Message);
            return;
        }
        var audio = AudioDecoder.Decode(path);
        Assert.Equal((16000, 1), (audio.SampleRate, audio.Channels.Length));
        // The AAC encoder's priming is cut by ffmpeg: about the 0.5 s of the source, and not silence.
        Assert.InRange(audio.Frames, 7900, 8200);
        Assert.True(audio.Channels[0].Max(Math.Abs) > 0.3f);
    }

    [Fact]
    public void Without_ffmpeg_the_line_names_the_file_its_format_and_the_install_command()
    {
        var path = Fixtures.Path_("lossy/mono16k.m4a");
        var e = Assert.Throws<ByolAException>(() => FfmpegDecoding.Decode(path, AudioFormats.Detect(path), ffmpeg: null));
        Assert.StartsWith(path + ": MP4/M4A", e.Message);
        Assert.Contains("install ffmpeg", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
