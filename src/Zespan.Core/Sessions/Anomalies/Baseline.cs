namespace Zespan.Core.Sessions.Anomalies;

/// <summary>
/// The usual value of one figure among the sessions of one kind: their count, median, median absolute deviation (MAD)
/// and p99. The median averages the two middle values and p99 is the nearest rank, as <see cref="Percentiles"/> defines
/// them, here over doubles because tokens per turn is a ratio.
/// </summary>
public sealed record Baseline(int Sessions, double Median, double Mad, double P99)
{
    public static Baseline Of(List<double> values)
    {
        if (values.Count == 0)
            return new Baseline(0, 0, 0, 0);
        values.Sort();
        var median = MedianOfSorted(values);
        var deviations = new List<double>(values.Count);
        foreach (var v in values)
            deviations.Add(Math.Abs(v - median));
        deviations.Sort();
        var p99 = values[(int)Percentiles.NearestRankOf(values.Count, 0.99) - 1];
        return new Baseline(values.Count, median, MedianOfSorted(deviations), p99);
    }

    private static double MedianOfSorted(List<double> sorted)
    {
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
