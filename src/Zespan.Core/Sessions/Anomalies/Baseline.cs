namespace Zespan.Core.Sessions.Anomalies;

/// <summary>
/// The usual value of one figure among the sessions of one kind: their count, median, median absolute deviation (MAD)
/// and p99. The median averages the two middle values and p99 is the nearest rank, as <see cref="Percentiles"/> defines
/// them, here over doubles because tokens per turn is a ratio.
/// </summary>
public sealed record Baseline(int Sessions, double Median, double Mad, double P99)
{
    /// <summary>The baseline of the values. Each figure is an order statistic, found by selection, not a sort.</summary>
    public static Baseline Of(List<double> values)
    {
        if (values.Count == 0)
            return new Baseline(0, 0, 0, 0);
        var ordered = values.ToArray();
        var median = MedianOf(ordered);
        var p99 = OrderStatistics.Select(ordered, (int)Percentiles.NearestRankOf(ordered.Length, 0.99) - 1);
        var deviations = new double[ordered.Length];
        for (var i = 0; i < ordered.Length; i++)
            deviations[i] = Math.Abs(ordered[i] - median);
        return new Baseline(ordered.Length, median, MedianOf(deviations), p99);
    }

    /// <summary>The middle value, or the mean of the two middle values of an even count.</summary>
    private static double MedianOf(double[] values)
    {
        var middle = values.Length / 2;
        var upper = OrderStatistics.Select(values, middle);
        return values.Length % 2 == 1 ? upper : (OrderStatistics.MaxBelow(values, middle) + upper) / 2;
    }
}

/// <summary>The k-th smallest of an array (0-based) by three-way quickselect: O(n), and many equal values cost no more.</summary>
public static class OrderStatistics
{
    /// <summary>The k-th smallest value; afterwards every element before k is ≤ it and every one after k is ≥ it.</summary>
    public static double Select(double[] values, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, values.Length);
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            var pivot = MedianOfThree(values[lo], values[lo + (hi - lo) / 2], values[hi]);
            // Three-way partition: [lo, lt) < pivot, [lt, gt] == pivot, (gt, hi] > pivot.
            int lt = lo, i = lo, gt = hi;
            while (i <= gt)
            {
                var v = values[i];
                if (v < pivot)
                {
                    values[i] = values[lt];
                    values[lt] = v;
                    lt++;
                    i++;
                }
                else if (v > pivot)
                {
                    values[i] = values[gt];
                    values[gt] = v;
                    gt--;
                }
                else
                {
                    i++;
                }
            }
            if (k < lt)
                hi = lt - 1;
            else if (k > gt)
                lo = gt + 1;
            else
                return pivot;
        }
        return values[k];
    }

    /// <summary>The largest of values[0..k), after <see cref="Select"/>(values, k): the (k−1)-th smallest.</summary>
    public static double MaxBelow(double[] values, int k)
    {
        var max = values[0];
        for (var i = 1; i < k; i++)
            max = Math.Max(max, values[i]);
        return max;
    }

    private static double MedianOfThree(double a, double b, double c) =>
        Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}
