using System.Globalization;
using ByolA.Progress;

namespace ByolA.Cli;

/// <summary>
/// Renders <see cref="IProgressReporter"/> on a text writer. On a terminal each task is a bar redrawn in place
/// (at most ten times a second). Otherwise (output going to a log file or a pipe) a redrawn bar would become one
/// line per update, so progress prints at most one line every <see cref="LogInterval"/> across all tasks, plus one
/// line when each task completes. <see cref="IProgressReporter.Message"/> lines are always printed. Thread-safe.
/// </summary>
/// <param name="writer">Where progress goes (the CLI passes standard error).</param>
/// <param name="interactive">True to redraw bars in place; false for log-friendly lines.</param>
/// <param name="clock">Time source for rates, elapsed times and the line limit (tests pass a manual clock).</param>
public sealed class ConsoleProgressReporter(TextWriter writer, bool interactive, TimeProvider? clock = null) : IProgressReporter
{
    /// <summary>Shortest time between two progress lines when not interactive.</summary>
    public static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    readonly object gate = new();
    readonly TextWriter writer = writer;
    readonly bool interactive = interactive;
    readonly TimeProvider clock = clock ?? TimeProvider.System;
    // Timestamp of the last progress line in log mode; a task's start counts as one so short tasks print only
    // their completion line.
    long lastLogLine;
    // In interactive mode: the bar currently drawn on the last line, to be cleared before a message.
    bool barOnScreen;

    public IProgressTask Start(string description, long total)
    {
        lock (gate)
        {
            long now = clock.GetTimestamp();
            if (!interactive && clock.GetElapsedTime(lastLogLine, now) >= LogInterval) lastLogLine = now;
            return new Task(this, description, total, now);
        }
    }

    public void Message(string text)
    {
        lock (gate)
        {
            if (barOnScreen) { writer.Write("\r\u001b[K"); barOnScreen = false; }
            writer.WriteLine(text);
        }
    }

    sealed class Task(ConsoleProgressReporter owner, string description, long total, long started) : IProgressTask
    {
        long done;
        string? status;
        long lastDraw = long.MinValue;
        bool disposed;

        public void Advance(long steps = 1, string? newStatus = null)
        {
            lock (owner.gate)
            {
                if (disposed) return;
                done += steps;
                if (newStatus != null) status = newStatus;
                long now = owner.clock.GetTimestamp();
                if (owner.interactive)
                {
                    // Tight loops should not spend their time on the console.
                    if (lastDraw != long.MinValue && owner.clock.GetElapsedTime(lastDraw, now) < RedrawInterval && done < total) return;
                    lastDraw = now;
                    owner.writer.Write("\r" + Render(now) + "\u001b[K");
                    owner.barOnScreen = true;
                }
                else if (owner.clock.GetElapsedTime(owner.lastLogLine, now) >= LogInterval)
                {
                    owner.lastLogLine = now;
                    owner.writer.WriteLine(Render(now));
                }
            }
        }

        string Render(long now)
        {
            var elapsed = owner.clock.GetElapsedTime(started, now);
            double rate = done / Math.Max(elapsed.TotalSeconds, 1e-9);
            string tail = status == null ? "" : "  " + status;
            var inv = CultureInfo.InvariantCulture;
            if (total <= 0) return string.Format(inv, "{0}: {1} ({2:0.0}/s, {3})", description, done, rate, Clock(elapsed)) + tail;
            double frac = Math.Clamp((double)done / total, 0, 1);
            const int width = 24;
            int fill = (int)(frac * width);
            string bar = new string('#', fill) + new string('-', width - fill);
            var eta = rate > 0 ? TimeSpan.FromSeconds(Math.Max(total - done, 0) / rate) : TimeSpan.Zero;
            return string.Format(inv, "{0} [{1}] {2}/{3} {4,3:0} % {5:0.0}/s elapsed {6} eta {7}",
                description, bar, done, total, 100 * frac, rate, Clock(elapsed), Clock(eta)) + tail;
        }

        /// <summary>mm:ss, or h:mm:ss past an hour (training runs last days).</summary>
        static string Clock(TimeSpan t) =>
            t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes:00}:{t.Seconds:00}";

        public void Dispose()
        {
            lock (owner.gate)
            {
                if (disposed) return;
                disposed = true;
                long now = owner.clock.GetTimestamp();
                if (owner.interactive)
                {
                    owner.writer.WriteLine("\r" + Render(now) + "\u001b[K");
                    owner.barOnScreen = false;
                }
                else
                {
                    owner.writer.WriteLine(Render(now));
                    owner.lastLogLine = now;
                }
            }
        }
    }
}
