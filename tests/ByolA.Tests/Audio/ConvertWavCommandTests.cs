using ByolA.Data;
using static ByolA.Tests.Support.CliRunner;
using ByolA.Cli;
using ByolA.Tests.Support;

namespace ByolA.Tests.Audio;

public class ConvertWavCommandTests
{
    [Fact]
    public void Converts_and_lists_unreadable_inputs_with_exit_code_1()
    {
        using var dir = new TempDir();
        WavConverterTests.MakeTree(dir.File("src"));
        var (code, output, error) = Run("convert-wav", dir.File("src"), dir.File("out"), "--jobs", "2", "--config", "v1");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("6 audio file(s): 5 converted, 0 already up to date, 1 failed", output);
        Assert.Contains("corrupt.wav", error);
        Assert.Equal(5, Directory.GetFiles(dir.File("out"), "*", SearchOption.AllDirectories).Length);

        File.Delete(dir.File("src/b/corrupt.wav"));
        (code, output, _) = Run("convert-wav", dir.File("src"), dir.File("out"), "--config", "v1");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("5 audio file(s): 0 converted, 5 already up to date, 0 failed", output);
    }

    [Fact]
    public void Sample_rate_flag_sets_the_output_rate()
    {
        using var dir = new TempDir();
        TestWav.Write(dir.File("src/x.wav"), TestWav.Sines(2, 4410, 44100), 44100, 16, isFloat: false);
        var (code, _, _) = Run("convert-wav", dir.File("src"), dir.File("out"), "--sample-rate", "8000", "--config", "v1");
        Assert.Equal(ExitCodes.Ok, code);
        var audio = ByolA.Data.WavFile.Read(dir.File("out/x.wav"));
        Assert.Equal((8000, 1, 800), (audio.SampleRate, audio.Channels.Length, audio.Frames));
    }

    [Fact]
    public void Destination_inside_source_is_an_error()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("src"));
        var (code, _, error) = Run("convert-wav", dir.File("src"), dir.File("src/out"), "--config", "v1");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("inside FROM", error);
        Assert.False(Directory.Exists(dir.File("src/out")));
    }

    [Fact]
    public void Bad_jobs_is_a_usage_error()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("src"));
        var (code, _, error) = Run("convert-wav", dir.File("src"), dir.File("out"), "--jobs", "0", "--config", "v1");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--jobs", error);
    }

    [Fact]
    public void Help_explains_every_option()
    {
        var (code, output, _) = Run("convert-wav", "--help");
        Assert.Equal(ExitCodes.Ok, code);
        foreach (var option in new[] { "--sample-rate", "--jobs", "--overwrite", "--config", "--threads", "--device" })
            Assert.Contains(option, output);
    }
}
