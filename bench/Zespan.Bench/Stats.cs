using System.Diagnostics;

namespace Zespan.Bench;

/// <summary>Runs a measurement several times after warm-up and keeps the median, as docs/benchmarks.md reports.</summary>
public static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static async Task<(double MedianMs, double MinMs, double MaxMs)> TimeAsync(Func<Task> action, int runs, int warmups = 2)
    {
        for (var i = 0; i < warmups; i++)
            await action();
        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            await action();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return (Median(times), times.Min(), times.Max());
    }

    public static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:N0} MB";
}
