using System.Diagnostics;
using System.Globalization;
using System.Text;
using ByolA.Audio;
using ByolA.Data;
using ByolA.Learning;
using ByolA.Tests.Audio;
using ByolA.Tests.Support;

namespace ByolA.Tests.Data;

/// <summary>
/// Temporary names record their owner, so clean-ups remove only what processes that are gone left (a concurrent run's
/// live temporary stays), and never make a name longer than the file system allows.
/// </summary>
public class AtomicFileTempTests
{
    /// <summary>This host's owner prefix, read back from a temp name of this process.</summary>
    static string Host() => Path.GetFileName(AtomicFile.TempPath("/x/y"))[("y" + AtomicFile.TempMarker).Length..][..4];

    /// <summary>A temp name next to <paramref name="target"/> owned by process <paramref name="pid"/> started at <paramref name="start"/> (Unix s).</summary>
    static string OwnedBy(string target, string host, int pid, long start) =>
        target + AtomicFile.TempMarker + string.Create(CultureInfo.InvariantCulture, $"{host}-{pid:x}-{start:x}-abcdef");

    static int ExitedPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true"))!;
        p.WaitForExit();
        return p.Id;
    }

    [Fact]
    public void Only_temporaries_of_processes_that_are_gone_are_stale()
    {
        using var tmp = new TempDir();
        var target = tmp.File("checkpoint.pth");
        string host = Host();
        long myStart = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeSeconds();
        Assert.False(AtomicFile.IsStale(AtomicFile.TempPath(target)));                                   // this live process
        Assert.False(AtomicFile.IsStale(OwnedBy(target, host, Environment.ProcessId, myStart)));
        Assert.True(AtomicFile.IsStale(OwnedBy(target, host, ExitedPid(), myStart)));                     // gone
        Assert.True(AtomicFile.IsStale(OwnedBy(target, host, Environment.ProcessId, myStart - 3600)));    // id reused
        Assert.False(AtomicFile.IsStale(OwnedBy(target, host == "0000" ? "0001" : "0000", ExitedPid(), myStart)));   // another host: cannot tell
        Assert.True(AtomicFile.IsStale(target + AtomicFile.TempMarker + "0badc0de"));                      // written before owners were recorded
    }

    [Fact]
    public void A_name_of_255_bytes_is_written_through_a_shorter_temporary()
    {
        using var tmp = new TempDir();
        var name = new string('é', 125) + "x.wav";                     // 250 + 5 = 255 bytes of UTF-8
        Assert.Equal(AtomicFile.MaxNameBytes, Encoding.UTF8.GetByteCount(name));
        Assert.True(Encoding.UTF8.GetByteCount(Path.GetFileName(AtomicFile.TempPath(tmp.File(name)))) <= AtomicFile.MaxNameBytes);
        AtomicFile.Write(tmp.File(name), s => s.WriteByte(7));
        Assert.Equal([7], File.ReadAllBytes(tmp.File(name)));
        // convert-wav keeps the name too.
        TestWav.Write(tmp.File("src/" + name), TestWav.Sines(1, 1600, 16000), 16000, 16, isFloat: false);
        var report = WavConverter.Run(new ConvertWavOptions { From = tmp.File("src"), To = tmp.File("out"), Jobs = 1 });
        Assert.True(report.Succeeded, string.Join("; ", report.Failures.Select(f => f.Reason)));
        Assert.True(File.Exists(tmp.File("out/" + name)));
    }

    [Fact]
    public void Convert_wav_s_clean_up_leaves_a_concurrent_run_s_live_temporary_and_removes_a_dead_one()
    {
        using var tmp = new TempDir();
        TestWav.Write(tmp.File("src/a.wav"), TestWav.Sines(1, 1600, 16000), 16000, 16, isFloat: false);
        Directory.CreateDirectory(tmp.File("out"));
        long myStart = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeSeconds();
        var live = AtomicFile.TempPath(tmp.File("out/b.wav"));            // a live run (this process) writing b.wav
        var dead = OwnedBy(tmp.File("out/c.wav"), Host(), ExitedPid(), myStart);
        File.WriteAllText(live, "being written");
        File.WriteAllText(dead, "left by a killed run");
        var report = WavConverter.Run(new ConvertWavOptions { From = tmp.File("src"), To = tmp.File("out"), Jobs = 1, Overwrite = true });
        Assert.Equal(1, report.StaleTempFilesRemoved);
        Assert.True(File.Exists(live));
        Assert.False(File.Exists(dead));
    }

    [Fact]
    public void A_training_run_removes_the_checkpoint_temporary_a_killed_run_left()
    {
        using var tmp = new TempDir();
        var dead = OwnedBy(tmp.File("out/checkpoint.pth"), Host(), ExitedPid(), 1_700_000_000);
        Directory.CreateDirectory(tmp.File("out"));
        File.WriteAllBytes(dead, new byte[1000]);
        File.WriteAllBytes(tmp.File("out/checkpoint.pth" + AtomicFile.TempMarker + "1a2b3c4d"), new byte[1000]);
        var live = AtomicFile.TempPath(tmp.File("out/other.npy"));
        File.WriteAllText(live, "another live writer");
        using (Trainer.LockOutputFolder(tmp.File("out"))) { }
        Assert.Equal([live], Directory.GetFiles(tmp.File("out"), "*" + AtomicFile.TempMarker + "*"));
    }
}
