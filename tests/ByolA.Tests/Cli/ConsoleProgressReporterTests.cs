using ByolA.Cli;

namespace ByolA.Tests.Cli;

public class ConsoleProgressReporterTests
{
    /// <summary>A clock that only moves when told to.</summary>
    sealed class ManualClock : TimeProvider
    {
        long ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => ticks;
        public void Advance(TimeSpan by) => ticks += by.Ticks;
    }

    static string[] Lines(StringWriter w) => w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Redirected_output_prints_at_most_one_line_per_ten_seconds_and_one_at_completion()
    {
        var clock = new ManualClock();
        var w = new StringWriter();
        var progress = new ConsoleProgressReporter(w, interactive: false, clock);
        // 1000 updates a tenth of a second apart: 100 s of work.
        using (var task = progress.Start("train", 1000))
            for (int i = 0; i < 1000; i++)
            {
                clock.Advance(TimeSpan.FromMilliseconds(100));
                task.Advance(1, $"loss {i}");
            }
        var lines = Lines(w);
        // One line at 10, 20, ..., 100 s, then the completion line.
        Assert.Equal(11, lines.Length);
        Assert.StartsWith("train [", lines[0]);
        Assert.Contains("100/1000", lines[0]);
        Assert.Contains("1000/1000", lines[^1]);
        Assert.Contains("loss 999", lines[^1]);
        Assert.DoesNotContain('\r', w.ToString());
    }

    [Fact]
    public void A_short_task_in_a_log_prints_only_its_completion_line()
    {
        var clock = new ManualClock();
        var w = new StringWriter();
        var progress = new ConsoleProgressReporter(w, interactive: false, clock);
        for (int t = 0; t < 3; t++)
            using (var task = progress.Start($"stage {t}", 50))
                for (int i = 0; i < 50; i++) { clock.Advance(TimeSpan.FromMilliseconds(20)); task.Advance(); }
        var lines = Lines(w);
        Assert.Equal(["stage 0", "stage 1", "stage 2"], lines.Select(l => l[..7]));
        Assert.All(lines, l => Assert.Contains("50/50", l));
    }

    [Fact]
    public void The_line_limit_holds_across_tasks_and_messages_always_print()
    {
        var clock = new ManualClock();
        var w = new StringWriter();
        var progress = new ConsoleProgressReporter(w, interactive: false, clock);
        using var a = progress.Start("a", 0);
        using var b = progress.Start("b", 0);
        for (int i = 0; i < 200; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(250));
            (i % 2 == 0 ? a : b).Advance();
        }
        progress.Message("a warning");
        // 50 s with two tasks updating in turn: still one progress line per 10 s.
        Assert.Equal(6, Lines(w).Length);
        Assert.Equal("a warning", Lines(w)[^1]);
    }

    [Fact]
    public void A_terminal_redraws_in_place_at_most_ten_times_a_second()
    {
        var clock = new ManualClock();
        var w = new StringWriter();
        var progress = new ConsoleProgressReporter(w, interactive: true, clock);
        using (var task = progress.Start("embed", 100))
            for (int i = 0; i < 100; i++) { clock.Advance(TimeSpan.FromMilliseconds(10)); task.Advance(); }
        string text = w.ToString();
        // 1 s of updates: the first draw, one per 100 ms, the final 100 % draw and the completion line.
        int draws = text.Count(c => c == '\r');
        Assert.InRange(draws, 10, 13);
        Assert.Single(Lines(w));
        Assert.Contains("100/100", text[text.LastIndexOf('\r')..]);
    }

    [Fact]
    public void Elapsed_time_past_an_hour_keeps_the_hours()
    {
        var clock = new ManualClock();
        var w = new StringWriter();
        var progress = new ConsoleProgressReporter(w, interactive: false, clock);
        using (var task = progress.Start("train", 2))
        {
            clock.Advance(TimeSpan.FromMinutes(75));
            task.Advance();
        }
        Assert.Contains("elapsed 1:15:00", Lines(w)[0]);
    }
}
