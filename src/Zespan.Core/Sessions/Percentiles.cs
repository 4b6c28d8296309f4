namespace Zespan.Core.Sessions;

/// <summary>Percentiles over sorted values, defined once: median averages the two middle values; p95 is the nearest rank.</summary>
public static class Percentiles
{
    public static long Median(IReadOnlyList<long> sorted)
    {
        if (sorted.Count == 0)
            return 0;
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (long)Math.Round((sorted[middle - 1] + (decimal)sorted[middle]) / 2, MidpointRounding.AwayFromZero);
    }

    public static long NearestRank(IReadOnlyList<long> sorted, double percentile)
    {
        if (sorted.Count == 0)
            return 0;
        var rank = (int)Math.Ceiling(percentile * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
