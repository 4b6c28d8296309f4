namespace Zespan.Core.Sessions;

/// <summary>Percentiles over sorted values, defined once: median averages the two middle values; p95 is the nearest rank.</summary>
public static class Percentiles
{
    public static long Median(IReadOnlyList<long> sorted)
    {
        if (sorted.Count == 0)
            return 0;
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : MeanOfTwo(sorted[middle - 1], sorted[middle]);
    }

    /// <summary>The median of an even count: the mean of the two middle values, rounded half away from zero.</summary>
    public static long MeanOfTwo(long lower, long upper) => (long)Math.Round((lower + (decimal)upper) / 2, MidpointRounding.AwayFromZero);

    /// <summary>The 1-based rank whose value is the nearest-rank percentile of a count of values.</summary>
    public static long NearestRankOf(long count, double percentile) => Math.Clamp((long)Math.Ceiling(percentile * count), 1, Math.Max(count, 1));

    public static long NearestRank(IReadOnlyList<long> sorted, double percentile)
    {
        if (sorted.Count == 0)
            return 0;
        return sorted[(int)NearestRankOf(sorted.Count, percentile) - 1];
    }

    // The same three rules over 128-bit values: a session's cost has no upper bound (issue 12, migration 150).

    public static Int128 Median(IReadOnlyList<Int128> sorted)
    {
        if (sorted.Count == 0)
            return 0;
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : MeanOfTwo(sorted[middle - 1], sorted[middle]);
    }

    /// <summary>As the 64-bit <see cref="MeanOfTwo(long, long)"/>: the exact half, rounded half away from zero.</summary>
    public static Int128 MeanOfTwo(Int128 lower, Int128 upper)
    {
        var sum = lower + upper;
        return sum / 2 + (sum % 2 == 0 ? 0 : Int128.Sign(sum));
    }

    public static Int128 NearestRank(IReadOnlyList<Int128> sorted, double percentile)
    {
        if (sorted.Count == 0)
            return 0;
        return sorted[(int)NearestRankOf(sorted.Count, percentile) - 1];
    }
}
