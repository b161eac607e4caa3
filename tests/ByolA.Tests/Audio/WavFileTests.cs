using System.Buffers.Binary;
using ByolA.Data;
using ByolA.Audio;
using ByolA.Tests.Support;

namespace ByolA.Tests.Audio;

public class WavFileTests
{
    [Theory]
    [InlineData(8, false, false, 1)]
    [InlineData(16, false, false, 1)]
    [InlineData(16, false, false, 2)]
    [InlineData(24, false, false, 2)]
    [InlineData(32, false, false, 3)]
    [InlineData(32, true, false, 1)]
    [InlineData(64, true, false, 2)]
    [InlineData(16, false, true, 2)]
    [InlineData(24, false, true, 1)]
    [InlineData(32, true, true, 2)]
    [InlineData(64, true, true, 6)]
    public void Reads_every_supported_format(int bits, bool isFloat, bool extensible, int channels)
    {
        using var dir = new TempDir();
        var signal = TestWav.Sines(channels, 1000, 22050);
        var path = dir.File("x.wav");
        TestWav.Write(path, signal, 22050, bits, isFloat, extensible);

        var audio = WavFile.Read(path);

        Assert.Equal(22050, audio.SampleRate);
        Assert.Equal(channels, audio.Channels.Length);
        Assert.Equal(1000, audio.Frames);
        // The quantisation step of each format bounds the error; float formats are exact in float32.
        double tolerance = isFloat ? 0 : Math.Max(1.0 / (1L << (bits - 1)), 1.2e-7); // 32-bit: float32 rounding dominates
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < 1000; i++)
                Assert.True(Math.Abs(audio.Channels[c][i] - signal[c][i]) <= tolerance,
                    $"channel {c} sample {i}: {audio.Channels[c][i]} vs {signal[c][i]}");
    }

    [Fact]
    public void Integer_pcm_is_scaled_by_two_to_the_bits_minus_one()
    {
        using var dir = new TempDir();
        var path8 = dir.File("u8.wav");
        File.WriteAllBytes(path8, TestWav.File(TestWav.Pcm, 1, 8000, 8, [0, 128, 255]));
        Assert.Equal(new[] { -1f, 0f, 127 / 128f }, WavFile.Read(path8).Channels[0]);

        var path16 = dir.File("s16.wav");
        File.WriteAllBytes(path16, TestWav.File(TestWav.Pcm, 1, 8000, 16, [0x00, 0x80, 0xFF, 0x7F, 0x01, 0x00]));
        Assert.Equal(new[] { -1f, 32767 / 32768f, 1 / 32768f }, WavFile.Read(path16).Channels[0]);

        var path24 = dir.File("s24.wav");
        File.WriteAllBytes(path24, TestWav.File(TestWav.Pcm, 1, 8000, 24, [0x00, 0x00, 0x80, 0xFF, 0xFF, 0xFF]));
        Assert.Equal(new[] { -1f, -1 / 8388608f }, WavFile.Read(path24).Channels[0]);

        var path32 = dir.File("s32.wav");
        File.WriteAllBytes(path32, TestWav.File(TestWav.Pcm, 1, 8000, 32, [0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x40]));
        Assert.Equal(new[] { -1f, 0.5f }, WavFile.Read(path32).Channels[0]);
    }

    [Fact]
    public void Extra_chunks_before_the_data_are_skipped()
    {
        using var dir = new TempDir();
        var path = dir.File("list.wav");
        File.WriteAllBytes(path, TestWav.File(TestWav.Pcm, 1, 16000, 16, [0x00, 0x40], listChunkBeforeData: true));
        Assert.Equal(new[] { 0.5f }, WavFile.Read(path).Channels[0]);
    }

    [Fact]
    public void Stereo_to_mono_is_the_channel_mean()
    {
        var audio = new AudioData([[1f, 0.5f, -1f], [0f, 0.25f, 1f]], 16000);
        Assert.Equal(new[] { 0.5f, 0.375f, 0f }, audio.ToMono());
        Assert.Equal(3, audio.Frames);
    }

    static string ErrorFor(byte[] bytes, string name = "bad.wav")
    {
        using var dir = new TempDir();
        var path = dir.File(name);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ByolAException>(() => WavFile.Read(path));
        Assert.Contains(name, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    [Fact]
    public void Empty_file_is_a_clear_error() => Assert.Contains("empty", ErrorFor([]));

    [Fact]
    public void Non_wav_file_is_a_clear_error() => Assert.Contains("not a readable WAV", ErrorFor("hello, this is text not audio"u8.ToArray()));

    [Fact]
    public void Header_only_file_is_a_clear_error()
    {
        var full = TestWav.File(TestWav.Pcm, 1, 16000, 16, new byte[200]);
        Assert.Contains("not a readable WAV", ErrorFor(full[..20]));
    }

    /// <summary>Reads <paramref name="bytes"/> as a file; returns the samples of channel 0 and the warnings given.</summary>
    static (float[] Samples, List<string> Warnings) ReadWithWarnings(byte[] bytes, string name = "x.wav")
    {
        using var dir = new TempDir();
        var path = dir.File(name);
        File.WriteAllBytes(path, bytes);
        var warnings = new List<string>();
        var audio = WavFile.Read(path, warnings.Add);
        var mono = WavFile.ReadMono(path);
        Assert.Equal(audio.ToMono(), mono.Channels[0]);
        return (audio.Channels[0], warnings);
    }

    [Fact]
    public void A_data_size_larger_than_the_file_reads_to_the_end_with_one_warning()
    {
        // A download cut short, or a header never patched: sox and soundfile read what is there.
        var full = TestWav.File(TestWav.Pcm, 2, 16000, 16, Enumerable.Range(0, 4000).Select(i => (byte)i).ToArray());
        var (samples, warnings) = ReadWithWarnings(full[..(full.Length - 1001)]);
        Assert.Equal(749, samples.Length); // 2999 bytes: 749 whole 4-byte frames
        var warning = Assert.Single(warnings);
        Assert.Contains("4000", warning);
        Assert.Contains("2999", warning);
        Assert.Contains("read to the end of the file", warning);
    }

    [Theory]
    [InlineData(0u, 0u)]                    // sox writing to a pipe
    [InlineData(0xFFFFFFFFu, 0xFFFFFFFFu)]  // ffmpeg writing to a pipe
    [InlineData(0xFFFFFFFFu, 0x7FFFF000u)]  // a placeholder larger than the file
    public void Placeholder_sizes_of_a_piped_wav_read_to_the_end_of_the_file(uint riffSize, uint dataSize)
    {
        var data = TestWav.Encode([[0.5f, -0.25f, 0.125f]], 16, false);
        var bytes = TestWav.File(TestWav.Pcm, 1, 16000, 16, data);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), riffSize);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(40), dataSize);
        var (samples, warnings) = ReadWithWarnings(bytes);
        Assert.Equal(new[] { 0.5f, -0.25f, 0.125f }, samples);
        Assert.Contains("read to the end of the file", Assert.Single(warnings));
    }

    [Fact]
    public void Reads_rf64()
    {
        var data = TestWav.Encode([[0.5f, -0.5f], [0.25f, 1f]], 32, true);
        var riff = TestWav.File(TestWav.IeeeFloat, 2, 48000, 32, data);
        // RF64: "RF64", size -1, WAVE, a ds64 chunk with the 64-bit sizes, then the usual chunks with data size -1.
        var ds64 = new byte[8 + 28];
        "ds64"u8.CopyTo(ds64);
        BinaryPrimitives.WriteUInt32LittleEndian(ds64.AsSpan(4), 28);
        BinaryPrimitives.WriteInt64LittleEndian(ds64.AsSpan(8), riff.Length + ds64.Length - 8);
        BinaryPrimitives.WriteInt64LittleEndian(ds64.AsSpan(16), data.Length);
        BinaryPrimitives.WriteInt64LittleEndian(ds64.AsSpan(24), 2);
        var rf64 = "RF64"u8.ToArray().Concat(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }).Concat("WAVE"u8.ToArray()).Concat(ds64).Concat(riff[12..]).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(rf64.AsSpan(12 + ds64.Length + 24 + 4), 0xFFFFFFFF); // the data chunk's size
        using var dir = new TempDir();
        var path = dir.File("x.wav");
        File.WriteAllBytes(path, rf64);
        var warnings = new List<string>();
        var audio = WavFile.Read(path, warnings.Add);
        Assert.Equal(48000, audio.SampleRate);
        Assert.Equal(new[] { 0.5f, -0.5f }, audio.Channels[0]);
        Assert.Equal(new[] { 0.25f, 1f }, audio.Channels[1]);
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData(0, 16000u, 16, "0 channels")]
    [InlineData(1, 16000u, 0, "0 bits per sample")]
    [InlineData(1, 0xFFFFFFFFu, 16, "sample rate 4294967295 Hz")]
    [InlineData(1, 0u, 16, "sample rate 0 Hz")]
    [InlineData(65535, 16000u, 16, "expected 131070 for 65535 × 16-bit")]
    public void Impossible_header_values_are_one_clear_error_with_their_true_values(int channels, uint rate, int bits, string expected)
    {
        var bytes = TestWav.File(TestWav.Pcm, 1, 16000, 16, new byte[64]);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(22), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), rate);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(34), (ushort)bits);
        Assert.Contains(expected, ErrorFor(bytes));
    }

    [Fact]
    public void Data_ending_mid_frame_is_a_clear_error()
    {
        var full = TestWav.File(TestWav.Pcm, 2, 16000, 16, new byte[10]);
        Assert.Contains("truncated", ErrorFor(full));
    }

    [Fact]
    public void Unsupported_encoding_is_a_clear_error()
    {
        var message = ErrorFor(TestWav.File(TestWav.Adpcm, 1, 16000, 16, new byte[64]));
        Assert.Contains("unsupported", message);
        Assert.Contains("PCM 8/16/24/32-bit", message);
    }

    [Fact]
    public void Unsupported_sample_size_is_a_clear_error()
    {
        Assert.Contains("unsupported IEEE float sample size 16-bit", ErrorFor(TestWav.File(TestWav.IeeeFloat, 1, 16000, 16, new byte[64])));
        Assert.Contains("unsupported", ErrorFor(TestWav.File(TestWav.Adpcm, 1, 16000, 16, new byte[64], extensible: true)));
    }

    [Fact]
    public void Missing_file_is_a_clear_error()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ByolAException>(() => WavFile.Read(dir.File("nope.wav")));
        Assert.Contains("nope.wav: file not found", e.Message);
    }

    [Fact]
    public void WritePcm16_truncates_toward_zero_and_clamps()
    {
        float[] x = [0f, 0.5f, -0.5f, 1f, -1f, 1.5f, -1.5f, 1e-5f, -1e-5f, float.NaN];
        Assert.Equal(new short[] { 0, 16383, -16383, 32767, -32767, 32767, -32768, 0, 0, 0 }, WavFile.ToPcm16(x));
    }

    [Fact]
    public void ToPcm16_gives_the_same_result_for_long_arrays()
    {
        // Long enough for the vectorised loop, with every special case at every position modulo 16 plus a ragged tail.
        float[] specials = [0f, 0.5f, -0.5f, 1f, -1f, 1.5f, -1.5f, 1e-5f, -1e-5f, float.NaN, float.PositiveInfinity,
                            float.NegativeInfinity, 0.99998f, -0.99998f, 3.0518e-5f, -3.0518e-5f, 0.123456f];
        var x = new float[16 * specials.Length + 7];
        for (int i = 0; i < x.Length; i++) x[i] = specials[i % specials.Length] * (i % 3 == 2 ? -1 : 1);
        var expected = x.Select(v => float.IsNaN(v * 32767f) ? (short)0 : (short)Math.Clamp(v * 32767f, -32768f, 32767f)).ToArray();
        Assert.Equal(expected, WavFile.ToPcm16(x));
    }

    [Fact]
    public void WritePcm16_round_trips_and_leaves_no_temp_file()
    {
        using var dir = new TempDir();
        var path = dir.File("sub/out.wav");
        var signal = TestWav.Sines(1, 3001, 16000)[0];
        WavFile.WritePcm16(path, signal, 16000);
        WavFile.WritePcm16(path, signal, 16000); // replacing an existing file works too

        Assert.Equal(new[] { "out.wav" }, Directory.GetFiles(dir.File("sub")).Select(Path.GetFileName));
        Assert.Equal(44 + 2 * 3001, new FileInfo(path).Length);
        var back = WavFile.Read(path);
        Assert.Equal(16000, back.SampleRate);
        var expected = WavFile.ToPcm16(signal);
        Assert.Equal(expected.Select(s => s / 32768f), back.Channels[0]);

        // NAudio agrees with the header we write.
        using var reader = new NAudio.Wave.WaveFileReader(path);
        Assert.Equal(NAudio.Wave.WaveFormatEncoding.Pcm, reader.WaveFormat.Encoding);
        Assert.Equal(16, reader.WaveFormat.BitsPerSample);
        Assert.Equal(1, reader.WaveFormat.Channels);
        Assert.Equal(3001, reader.SampleCount);
    }

    [Fact]
    public void A_failed_write_leaves_neither_output_nor_temp_file()
    {
        using var dir = new TempDir();
        var path = dir.File("fail.wav");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.Write(new byte[100]); throw new InvalidOperationException("boom"); }));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Reads_files_written_by_naudio()
    {
        using var dir = new TempDir();
        var path = dir.File("naudio.wav");
        using (var writer = new NAudio.Wave.WaveFileWriter(path, NAudio.Wave.WaveFormat.CreateIeeeFloatWaveFormat(44100, 2)))
            writer.WriteSamples([0.25f, -0.5f, 0.75f, 1f], 0, 4);
        var audio = WavFile.Read(path);
        Assert.Equal(new[] { 0.25f, 0.75f }, audio.Channels[0]);
        Assert.Equal(new[] { -0.5f, 1f }, audio.Channels[1]);
        Assert.Equal(44100, audio.SampleRate);
    }

    /// <summary>ReadMono must give Read(path).ToMono() bit for bit, whether it decodes the file itself or falls back to NAudio.</summary>
    static void AssertReadMonoMatchesRead(string path)
    {
        var full = WavFile.Read(path);
        var mono = WavFile.ReadMono(path);
        Assert.Equal(full.SampleRate, mono.SampleRate);
        var channel = Assert.Single(mono.Channels);
        var expected = full.ToMono();
        Assert.Equal(expected.Length, channel.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(channel[i]),
                $"sample {i}: {channel[i]:R} vs {expected[i]:R}");
    }

    [Theory]
    [InlineData(16, false, false, 1)]
    [InlineData(16, false, false, 2)]
    [InlineData(16, false, false, 3)]
    [InlineData(16, false, true, 2)]
    [InlineData(32, true, false, 1)]
    [InlineData(32, true, false, 2)]
    [InlineData(32, true, true, 6)]
    [InlineData(8, false, false, 2)]   // the rest are not decoded directly: NAudio path
    [InlineData(24, false, true, 2)]
    [InlineData(32, false, false, 2)]
    [InlineData(64, true, false, 2)]
    public void ReadMono_is_the_channel_mean_of_Read(int bits, bool isFloat, bool extensible, int channels)
    {
        using var dir = new TempDir();
        var path = dir.File("x.wav");
        // Full-scale noise-like content, so every 16-bit code and rounding case of the mean is exercised.
        var signal = TestWav.Sines(channels, 2001, 22050, baseHz: 5011);
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < signal[c].Length; i++) signal[c][i] = Math.Clamp(signal[c][i] * 1.25f * (1 + c % 2) - 0.1f * c, -1f, 1f);
        TestWav.Write(path, signal, 22050, bits, isFloat, extensible);
        AssertReadMonoMatchesRead(path);
    }

    [Fact]
    public void ReadMono_handles_naudio_files_extra_chunks_and_empty_data()
    {
        using var dir = new TempDir();
        var naudio = dir.File("naudio.wav"); // 18-byte fmt chunk
        using (var writer = new NAudio.Wave.WaveFileWriter(naudio, new NAudio.Wave.WaveFormat(44100, 16, 2)))
            writer.WriteSamples([0.25f, -0.5f, 0.75f, 1f, -1f, 0.125f], 0, 6);
        AssertReadMonoMatchesRead(naudio);
        Assert.Equal(3, WavFile.ReadMono(naudio).Frames);

        var list = dir.File("list.wav");
        File.WriteAllBytes(list, TestWav.File(TestWav.Pcm, 2, 16000, 16, [0x00, 0x40, 0x00, 0x20], listChunkBeforeData: true));
        AssertReadMonoMatchesRead(list);
        Assert.Equal(new[] { 0.375f }, WavFile.ReadMono(list).Channels[0]);

        // A header whose data chunk is empty (44 bytes in all) holds no audio: an error for every reader, not an empty clip.
        var empty = dir.File("empty-data.wav");
        File.WriteAllBytes(empty, TestWav.File(TestWav.Pcm, 1, 16000, 16, []));
        Assert.Equal(44, new FileInfo(empty).Length);
        Assert.Contains("holds no samples", Assert.Throws<ByolAException>(() => WavFile.Read(empty)).Message);
        Assert.Contains("holds no samples", Assert.Throws<ByolAException>(() => WavFile.ReadMono(empty)).Message);
        Assert.Contains("holds no samples", Assert.Throws<ByolAException>(() => AudioLoader.LoadMono(empty, 16000)).Message);
    }

    [Fact]
    public void Convert_wav_lists_a_wav_without_samples_as_failed_instead_of_writing_one()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("src"));
        File.WriteAllBytes(dir.File("src/empty.wav"), TestWav.File(TestWav.Pcm, 1, 16000, 16, []));
        var report = ByolA.Audio.WavConverter.Run(new ByolA.Audio.ConvertWavOptions { From = dir.File("src"), To = dir.File("out"), Jobs = 1 });
        Assert.Contains("holds no samples", Assert.Single(report.Failures).Reason);
        Assert.False(File.Exists(dir.File("out/empty.wav")));
    }

    static byte[] ZeroChannels()
    {
        var bytes = TestWav.File(TestWav.Pcm, 1, 16000, 16, new byte[64]);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(22), 0);
        return bytes;
    }

    [Fact]
    public void ReadMono_fails_exactly_like_Read()
    {
        var cases = new Dictionary<string, byte[]>
        {
            ["empty"] = [],
            ["text"] = "hello, this is text not audio, long enough to be parsed as a header"u8.ToArray(),
            ["header-only"] = TestWav.File(TestWav.Pcm, 1, 16000, 16, new byte[200])[..20],
            ["mid-frame"] = TestWav.File(TestWav.Pcm, 2, 16000, 16, new byte[10]),
            ["adpcm"] = TestWav.File(TestWav.Adpcm, 1, 16000, 16, new byte[64]),
            ["float16"] = TestWav.File(TestWav.IeeeFloat, 1, 16000, 16, new byte[64]),
            ["zero-channels"] = ZeroChannels(),
        };
        using var dir = new TempDir();
        foreach (var (name, bytes) in cases)
        {
            var path = dir.File(name + ".wav");
            File.WriteAllBytes(path, bytes);
            var expected = Assert.Throws<ByolAException>(() => WavFile.Read(path)).Message;
            Assert.Equal(expected, Assert.Throws<ByolAException>(() => WavFile.ReadMono(path)).Message);
        }
        Assert.Contains("file not found", Assert.Throws<ByolAException>(() => WavFile.ReadMono(dir.File("missing.wav"))).Message);
    }
}
