using System.Diagnostics;

namespace Zespan.DataGen;

/// <summary>
/// A one-line text progress bar on stderr (so stdout stays clean for scripts). Redraws at most four times a second;
/// when stderr is not a terminal it prints a plain line every 10 % instead of carriage returns.
/// </summary>
public sealed class ProgressBar(string label, long total)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _done;
    private long _spans;
    private long _lastDrawTicks = -1;
    private int _lastDecile = -1;
    private readonly Lock _gate = new();

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Advance(long units, long spans)
    {
        var done = Interlocked.Add(ref _done, units);
        Interlocked.Add(ref _spans, spans);
        lock (_gate)
        {
            if (Console.IsErrorRedirected)
            {
                var decile = total == 0 ? 10 : (int)(done * 10 / total);
                if (decile != _lastDecile)
                {
                    _lastDecile = decile;
                    Console.Error.WriteLine(Line(done));
                }
                return;
            }
            var now = _clock.ElapsedTicks;
            if (done < total && _lastDrawTicks >= 0 && now - _lastDrawTicks < Stopwatch.Frequency / 4)
                return;
            _lastDrawTicks = now;
            Console.Error.Write("\r" + Line(done) + "   ");
        }
    }

    public void Finish()
    {
        lock (_gate)
        {
            if (!Console.IsErrorRedirected)
                Console.Error.WriteLine("\r" + Line(Interlocked.Read(ref _done)) + "   ");
        }
    }

    private string Line(long done)
    {
        const int width = 30;
        var fraction = total == 0 ? 1 : Math.Min(1, (double)done / total);
        var filled = (int)(fraction * width);
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        var spans = Interlocked.Read(ref _spans);
        var eta = fraction > 0 ? TimeSpan.FromSeconds(seconds / fraction - seconds) : TimeSpan.Zero;
        return $"{label} [{new string('#', filled)}{new string('.', width - filled)}] {fraction,4:P0} {done:N0}/{total:N0} sessions, " +
               $"{spans:N0} spans, {spans / seconds:N0} spans/s, ETA {eta:hh\\:mm\\:ss}";
    }
}
