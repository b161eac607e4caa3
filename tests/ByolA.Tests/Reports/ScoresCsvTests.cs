using ByolA.Reports;
using ByolA.Tests.Support;

namespace ByolA.Tests.Reports;

public class ScoresCsvTests
{
    [Fact]
    public void Rows_append_in_the_original_column_layout()
    {
        using var dir = new TempDir();
        var path = dir.File("results/spcv2-scores.csv");
        ScoresCsv.Append(path, "AudioNTT2020-BYOLA-64x96d512", [0.5, 0.75], 0.625, 0.125);
        ScoresCsv.Append(path, "random", [0.25, 0.5], 0.375, 0.125);
        Assert.Equal(["run0,run1,model,mean,std", "0.5,0.75,AudioNTT2020-BYOLA-64x96d512,0.625,0.125", "0.25,0.5,random,0.375,0.125"],
            File.ReadAllLines(path));
    }

    [Fact]
    public void A_row_with_more_runs_widens_the_header_and_keeps_old_rows()
    {
        using var dir = new TempDir();
        var path = dir.File("t-scores.csv");
        ScoresCsv.Append(path, "a", [0.5], 0.5, 0);
        ScoresCsv.Append(path, "b", [0.25, 0.75, 1], 0.6666666666666666, 0.3118047822311618);
        var lines = File.ReadAllLines(path);
        Assert.Equal("run0,run1,run2,model,mean,std", lines[0]);
        Assert.Equal("0.5,,,a,0.5,0", lines[1]);
        Assert.StartsWith("0.25,0.75,1,b,0.6666666666666666,", lines[2]);
    }

    [Fact]
    public async Task Concurrent_appends_from_many_threads_keep_every_row()
    {
        using var dir = new TempDir();
        var path = dir.File("results/t-scores.csv");
        using var start = new Barrier(8);
        var writers = Enumerable.Range(0, 8).Select(k => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (int j = 0; j < 3; j++) ScoresCsv.Append(path, $"m{k}-{j}", [0.5], 0.5, 0);
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(writers);
        var models = ScoresCsv.Read(path).Select(r => r["model"]).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 8).SelectMany(k => Enumerable.Range(0, 3).Select(j => $"m{k}-{j}")).Order(), models);
    }

    [Fact]
    public async Task An_append_waits_for_the_lock_held_by_another_holder()
    {
        using var dir = new TempDir();
        var path = dir.File("t-scores.csv");
        var held = ByolA.Data.FileLock.TryAcquire(ScoresCsv.LockPath(path))!;
        // flock(1) from another process sees the same lock.
        using (var other = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("flock", ["-n", ScoresCsv.LockPath(path), "true"]))!)
        {
            other.WaitForExit();
            Assert.NotEqual(0, other.ExitCode);
        }
        var append = Task.Run(() => ScoresCsv.Append(path, "late", [0.5], 0.5, 0));
        Assert.NotSame(append, await Task.WhenAny(append, Task.Delay(300)));   // blocked while the lock is held
        Assert.False(File.Exists(path));
        held.Dispose();
        await append;
        Assert.Equal("late", Assert.Single(ScoresCsv.Read(path))["model"]);
    }

    [Theory]
    [InlineData("name,age\nann,3\n")]
    [InlineData("\u0000\u0001PK binary")]
    [InlineData("run0,model,mean,std\n0.5,\"unterminated,0.5,0\n")]
    public void A_file_of_another_kind_under_the_name_is_left_untouched(string content)
    {
        using var dir = new TempDir();
        var path = dir.File("t-scores.csv");
        var text = System.Text.RegularExpressions.Regex.Unescape(content);
        File.WriteAllText(path, text);
        var e = Assert.Throws<ByolAException>(() => ScoresCsv.Append(path, "m", [0.5], 0.5, 0));
        Assert.Contains("not a scores CSV", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Single(e.Message.Split('\n'));
        Assert.Equal(text, File.ReadAllText(path));
    }

    [Fact]
    public void A_row_is_appended_through_a_symbolic_link_which_stays_a_link()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("shared"));
        Directory.CreateDirectory(dir.File("results"));
        ScoresCsv.Append(dir.File("shared/t-scores.csv"), "first", [0.5], 0.5, 0);
        File.CreateSymbolicLink(dir.File("results/t-scores.csv"), dir.File("shared/t-scores.csv"));
        ScoresCsv.Append(dir.File("results/t-scores.csv"), "second", [0.7], 0.7, 0);
        Assert.NotNull(new FileInfo(dir.File("results/t-scores.csv")).LinkTarget);
        Assert.Equal(["first", "second"], ScoresCsv.Read(dir.File("shared/t-scores.csv")).Select(r => r["model"]));
        // A dangling link gets its file made where it points.
        File.CreateSymbolicLink(dir.File("results/u-scores.csv"), dir.File("shared/u-scores.csv"));
        ScoresCsv.Append(dir.File("results/u-scores.csv"), "third", [0.6], 0.6, 0);
        Assert.NotNull(new FileInfo(dir.File("results/u-scores.csv")).LinkTarget);
        Assert.Single(ScoresCsv.Read(dir.File("shared/u-scores.csv")));
    }
}
