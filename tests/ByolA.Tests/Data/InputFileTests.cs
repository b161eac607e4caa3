using System.Diagnostics;
using ByolA.Audio;
using ByolA.Cli;
using ByolA.Configuration;
using ByolA.Data;
using ByolA.Tasks;
using ByolA.Tests.Audio;
using ByolA.Tests.Support;

namespace ByolA.Tests.Data;

/// <summary>
/// FIFOs, devices and huge files as inputs: told apart by stat before any open (a FIFO blocks its reader until
/// something writes, /dev/zero never ends), skipped and listed in folder walks, refused in one line when named.
/// </summary>
public class InputFileTests
{
    static void MakeFifo(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("mkfifo", [path]))!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void Stat_tells_fifos_and_devices_from_files_folders_and_links()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDir();
        MakeFifo(dir.File("pipe.wav"));
        File.WriteAllText(dir.File("plain.wav"), "x");
        File.CreateSymbolicLink(dir.File("link.wav"), dir.File("pipe.wav"));
        Assert.Equal("a FIFO (named pipe)", InputFile.SpecialKind(dir.File("pipe.wav")));
        Assert.Equal("a FIFO (named pipe)", InputFile.SpecialKind(dir.File("link.wav")));   // links are followed
        Assert.Equal("a character device", InputFile.SpecialKind("/dev/zero"));
        Assert.Null(InputFile.SpecialKind(dir.File("plain.wav")));
        Assert.Null(InputFile.SpecialKind(dir.Path));
        Assert.Null(InputFile.SpecialKind(dir.File("missing.wav")));
    }

    [Fact]
    public void A_fifo_named_like_a_wav_is_skipped_and_listed_by_the_folder_walk_and_refused_by_the_decoder()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("in"));
        TestWav.Write(dir.File("in/a.wav"), TestWav.Sines(1, 1600, 16000), 16000, 16, isFloat: false);
        MakeFifo(dir.File("in/b.wav"));
        var warnings = new List<string>();
        Assert.Equal([dir.File("in/a.wav")], AudioFileFinder.Find(dir.File("in"), warnings.Add));
        Assert.Contains(warnings, w => w.Contains("b.wav") && w.Contains("FIFO"));
        Assert.Contains("FIFO", Assert.Throws<ByolAException>(() => AudioLoader.LoadMono(dir.File("in/b.wav"), 16000)).Message);

        // convert-wav converts the file, lists the FIFO and finishes instead of blocking on it.
        var (code, _, err) = CliRunner.Run("convert-wav", dir.File("in"), dir.File("out"));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("b.wav: is a FIFO (named pipe), not a regular file; skipped", err);
        Assert.True(File.Exists(dir.File("out/a.wav")));
        // Named on embed's command line: one line, exit 1.
        (code, _, err) = CliRunner.Run("embed", "missing-weights.pth", dir.File("in/b.wav"), "--out", dir.File("e.npy"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("is a FIFO (named pipe), not a regular file", err);
    }

    [Fact]
    public void Configs_and_metadata_from_devices_or_over_the_cap_are_refused_before_reading()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDir();
        Assert.Contains("is a character device, not a config file", Assert.Throws<ConfigException>(() => ConfigLoader.Load("/dev/zero")).Message);
        Assert.Contains("is a character device", Assert.Throws<ByolAException>(() => TaskMetadata.Read("/dev/urandom")).Message);
        // Over the caps (sparse files: their size is all that is looked at).
        using (var f = File.Create(dir.File("big.yaml"))) f.SetLength(InputFile.MaxConfigBytes + 1);
        Assert.Contains("too large for a config file", Assert.Throws<ConfigException>(() => ConfigLoader.Load(dir.File("big.yaml"))).Message);
        using (var f = File.Create(dir.File("big.csv"))) f.SetLength(InputFile.MaxCsvBytes + 1);
        Assert.Contains("too large for a metadata CSV", Assert.Throws<ByolAException>(() => TaskMetadata.Read(dir.File("big.csv"))).Message);
        // Through the CLI: one line naming the file, exit 1 (a config file is not a usage error).
        var (code, _, err) = CliRunner.Run("train", dir.Path, "-c", "/dev/zero");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("/dev/zero: is a character device", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void A_fifo_or_device_given_as_weights_or_model_is_refused_before_it_is_opened()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDir();
        MakeFifo(dir.File("w.pth"));
        MakeFifo(dir.File("m.onnx"));
        TestWav.Write(dir.File("a.wav"), TestWav.Sines(1, 1600, 16000), 16000, 16, isFloat: false);
        foreach (var weights in new[] { dir.File("w.pth"), dir.File("m.onnx"), "/dev/zero" })
        {
            var (code, _, err) = CliRunner.Run("embed", weights, dir.File("a.wav"), "--out", dir.File("e.npy"), "--stats", "-6,4");
            Assert.Equal(ExitCodes.Failure, code);
            Assert.Contains(weights.StartsWith("/dev") ? "is a character device" : "is a FIFO (named pipe)", err);
        }
    }
}
