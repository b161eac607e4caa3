using ByolA.Data;
using ByolA.Audio;
using ByolA.Tests.Support;

namespace ByolA.Tests.Audio;

public class AudioLoaderTests
{
    [Fact]
    public void Loads_mono_at_the_expected_rate()
    {
        using var dir = new TempDir();
        var path = dir.File("ok.wav");
        TestWav.Write(path, [[0.5f, -0.25f, 0f]], 16000, 16, isFloat: false);
        Assert.Equal(new[] { 0.5f, -0.25f, 0f }, AudioLoader.LoadMono(path, 16000));
    }

    [Fact]
    public void Stereo_or_other_rates_tell_the_user_to_run_convert_wav()
    {
        using var dir = new TempDir();
        var path = dir.File("x.wav");
        TestWav.Write(path, TestWav.Sines(2, 100, 44100), 44100, 16, isFloat: false);
        var e = Assert.Throws<ByolAException>(() => AudioLoader.LoadMono(path, 16000));
        Assert.Equal($"{path}: 44100 Hz stereo, expected 16000 Hz mono; run `byola convert-wav` first", e.Message);

        var mono22k = dir.File("y.wav");
        TestWav.Write(mono22k, TestWav.Sines(1, 100, 22050), 22050, 16, isFloat: false);
        Assert.Contains("22050 Hz mono, expected 16000 Hz mono", Assert.Throws<ByolAException>(() => AudioLoader.LoadMono(mono22k, 16000)).Message);
    }
}
