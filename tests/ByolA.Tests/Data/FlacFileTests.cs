using System.Buffers.Binary;
using System.Security.Cryptography;
using ByolA.Data;
using ByolA.Tests.Support;

namespace ByolA.Tests.Data;

public class FlacFileTests
{
    /// <summary>
    /// Bit-exact against the reference decoder: each fixture's samples, shifted to 32 bits and interleaved, hash to what
    /// `flac -d` (then sox to signed 32-bit raw) gave when the fixture was made. The fixtures cover 8, 16, 24 and 32 bits,
    /// 1, 2, 6 and 8 channels, independent and mid/side stereo, block sizes 192 to 4097, constant, verbatim, fixed and
    /// LPC subframes, wasted bits, exhaustive rice partitions and a file without MD5.
    /// </summary>
    [Theory]
    [MemberData(nameof(Fixtures.FlacReferences), MemberType = typeof(Fixtures))]
    public void Decodes_each_fixture_as_flac_d_does(string name)
    {
        var expected = Fixtures.FlacReference(name);
        var samples = FlacFile.ReadIntegers(Fixtures.Path_("flac/" + name), out var info);
        Assert.Equal((expected.Rate, expected.Bits, expected.Channels), (info.SampleRate, info.BitsPerSample, info.Channels));
        Assert.All(samples, c => Assert.Equal(expected.Frames, c.Length));
        var bytes = new byte[samples[0].Length * samples.Length * 4];
        for (int i = 0, k = 0; i < samples[0].Length; i++)
            for (int c = 0; c < samples.Length; c++, k += 4)
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(k), samples[c][i] << (32 - info.BitsPerSample));
        Assert.Equal(expected.Sha256, Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant());
    }

    [Fact]
    public void Decodes_to_the_floats_of_the_wav_it_was_made_from()
    {
        var flac = FlacFile.Read(Fixtures.Path_("embed-clip.flac"));
        var wav = WavFile.Read(Fixtures.Path_("embed-clip.wav"));
        Assert.Equal(wav.SampleRate, flac.SampleRate);
        Assert.Equal(wav.Channels[0], flac.Channels[0]);
    }
}
