namespace Zespan.Core.Sessions.Anomalies;

/// <summary>
/// The values at given ranks of an array of finite doubles. Large arrays: one pass counts the values per bucket of the
/// first 16 bits of their order-preserving bit pattern (a sixteenth of an octave), a second gathers the few buckets that
/// hold the wanted ranks, and each is finished by selection — O(n) with cheap steps, not a sort.
/// </summary>
public static class OrderStatistics
{
    private const int Buckets = 1 << 16;

    /// <summary>The value at each 0-based rank (the rank-th smallest); the array may be reordered.</summary>
    public static double[] SelectRanks(Span<double> values, int[] ranks)
    {
        var found = new double[ranks.Length];
        if (values.Length < 4_096)
        {
            for (var i = 0; i < ranks.Length; i++)
                found[i] = Select(values, ranks[i]);
            return found;
        }
        var counts = new int[Buckets];
        foreach (var v in values)
            counts[Bucket(v)]++;
        // The bucket of each rank and the rank within it.
        var bucketOf = new int[ranks.Length];
        var rankIn = new int[ranks.Length];
        for (var i = 0; i < ranks.Length; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(ranks[i]);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(ranks[i], values.Length);
            int bucket = 0, before = 0;
            while (before + counts[bucket] <= ranks[i])
                before += counts[bucket++];
            bucketOf[i] = bucket;
            rankIn[i] = ranks[i] - before;
        }
        var gathered = new Dictionary<int, List<double>>();
        foreach (var bucket in bucketOf)
            gathered.TryAdd(bucket, new List<double>(counts[bucket]));
        foreach (var v in values)
        {
            if (gathered.TryGetValue(Bucket(v), out var list))
                list.Add(v);
        }
        var arrays = gathered.ToDictionary(g => g.Key, g => g.Value.ToArray());
        for (var i = 0; i < ranks.Length; i++)
            found[i] = Select(arrays[bucketOf[i]], rankIn[i]);
        return found;
    }

    /// <summary>The first 16 bits of the double's bits made to sort as the numbers do (negatives flipped).</summary>
    private static int Bucket(double value)
    {
        var bits = (ulong)BitConverter.DoubleToInt64Bits(value);
        var ordered = (bits & 0x8000_0000_0000_0000) != 0 ? ~bits : bits | 0x8000_0000_0000_0000;
        return (int)(ordered >> 48);
    }

    /// <summary>The k-th smallest value (0-based) by three-way quickselect: O(n), and many equal values cost no more.</summary>
    public static double Select(Span<double> values, int k)
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

    private static double MedianOfThree(double a, double b, double c) =>
        Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}
