namespace Zespan.Core.Sessions.Anomalies;

/// <summary>
/// The usual value of one figure among the sessions of one kind: their count, median, median absolute deviation (MAD)
/// and p99. The median averages the two middle values and p99 is the nearest rank, as <see cref="Percentiles"/> defines
/// them, here over doubles because tokens per turn is a ratio.
/// </summary>
public sealed record Baseline(int Sessions, double Median, double Mad, double P99)
{
    /// <summary>The baseline of the values. Each figure is an order statistic, found by selection, not a sort.</summary>
    public static Baseline Of(List<double> values) => Of(values.ToArray());

    /// <summary>The baseline of the values, which are reordered in place.</summary>
    public static Baseline Of(Span<double> values)
    {
        if (values.Length == 0)
            return new Baseline(0, 0, 0, 0);
        var p99Rank = (int)Percentiles.NearestRankOf(values.Length, 0.99) - 1;
        var (median, p99) = MedianAnd(values, p99Rank);
        var rented = System.Buffers.ArrayPool<double>.Shared.Rent(values.Length);
        try
        {
            var deviations = rented.AsSpan(0, values.Length);
            for (var i = 0; i < values.Length; i++)
                deviations[i] = Math.Abs(values[i] - median);
            return new Baseline(values.Length, median, MedianAnd(deviations, null).Median, p99);
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>The middle value (or the mean of the two middle values of an even count), and the value at another rank.</summary>
    private static (double Median, double AtRank) MedianAnd(Span<double> values, int? rank)
    {
        var middle = values.Length / 2;
        var even = values.Length % 2 == 0;
        int[] ranks = even ? [middle - 1, middle, rank ?? middle] : [middle, rank ?? middle];
        var found = OrderStatistics.SelectRanks(values, ranks);
        var median = even ? (found[0] + found[1]) / 2 : found[0];
        return (median, found[^1]);
    }
}
