using System.Diagnostics;
using ByolA.Progress;

namespace ByolA.Cli;

/// <summary>
/// Renders <see cref="IProgressReporter"/> on a text writer: a redrawn bar on a terminal, or a few plain lines
/// (start, every 25%, end) when output is redirected so logs stay readable. Thread-safe.
/// </summary>
public sealed class ConsoleProgressReporter(TextWriter writer, bool interactive) : IProgressReporter
{
    readonly object gate = new();
    readonly TextWriter writer = writer;
    readonly bool interactive = interactive;

    public IProgressTask Start(string description, long total) => new Task(this, description, total);

    public void Message(string text)
    {
        lock (gate) writer.WriteLine(text);
    }

    sealed class Task(ConsoleProgressReporter owner, string description, long total) : IProgressTask
    {
        readonly Stopwatch clock = Stopwatch.StartNew();
        long done;
        string? status;
        int lastQuarter = -1;
        long lastDrawTicks = -1;
        bool disposed;

        public void Advance(long steps = 1, string? newStatus = null)
        {
            lock (owner.gate)
            {
                done += steps;
                if (newStatus != null) status = newStatus;
                if (owner.interactive)
                {
                    // Redraw at most ~10 times a second so tight loops do not spend their time on the console.
                    long now = clock.ElapsedMilliseconds;
                    if (lastDrawTicks >= 0 && now - lastDrawTicks < 100 && done < total) return;
                    lastDrawTicks = now;
                    owner.writer.Write("\r" + Render() + "\u001b[K");
                }
                else if (total > 0)
                {
                    int quarter = (int)(4 * done / total);
                    if (quarter > lastQuarter && quarter < 4) { lastQuarter = quarter; owner.writer.WriteLine(Render()); }
                }
            }
        }

        string Render()
        {
            double secs = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            double rate = done / secs;
            string tail = status == null ? "" : "  " + status;
            if (total <= 0) return $"{description}: {done} ({rate:0.0}/s, {clock.Elapsed:mm\\:ss}){tail}";
            double frac = Math.Clamp((double)done / total, 0, 1);
            const int width = 24;
            int fill = (int)(frac * width);
            string bar = new string('#', fill) + new string('-', width - fill);
            var eta = rate > 0 ? TimeSpan.FromSeconds((total - done) / rate) : TimeSpan.Zero;
            return $"{description} [{bar}] {done}/{total} {frac:P0} {rate:0.0}/s elapsed {clock.Elapsed:mm\\:ss} eta {eta:mm\\:ss}{tail}";
        }

        public void Dispose()
        {
            lock (owner.gate)
            {
                if (disposed) return;
                disposed = true;
                if (owner.interactive) owner.writer.WriteLine("\r" + Render() + "\u001b[K");
                else owner.writer.WriteLine(Render());
            }
        }
    }
}
