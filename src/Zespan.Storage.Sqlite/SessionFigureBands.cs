using System.Numerics;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The turns bands of session_search_bands (migration 400): one band per turn count from 0 to 16 (where most sessions and
/// most filters are, so a bound there cuts no band), then two per power of two — (2^k, 1.5·2^k] and (1.5·2^k, 2^(k+1)] —
/// so any bound cuts at most one band, of a third of the turn counts at most. Bands are numbered in turns order.
/// </summary>
internal static class SessionFigureBands
{
    /// <summary>The bands up to this one hold one turn count each (band n: n turns).</summary>
    public const int Exact = 16;

    /// <summary>The last band: the one holding long.MaxValue.</summary>
    public static readonly int Last = Of(long.MaxValue);

    public static int Of(long turns)
    {
        if (turns <= Exact)
            return (int)Math.Max(turns, 0);
        var k = 63 - BitOperations.LeadingZeroCount((ulong)(turns - 1)); // 2^k < turns <= 2^(k+1), k >= 4
        var middle = (1L << k) + (1L << (k - 1));
        return Exact + 1 + 2 * (k - 4) + (turns > middle ? 1 : 0);
    }

    /// <summary>The lowest and highest turn count of a band.</summary>
    public static (long Low, long High) Range(int band)
    {
        if (band <= Exact)
            return (band, band);
        var k = 4 + (band - Exact - 1) / 2;
        var middle = (1L << k) + (1L << (k - 1));
        return (band - Exact - 1) % 2 == 0 ? ((1L << k) + 1, middle) : (middle + 1, k == 62 ? long.MaxValue : 1L << (k + 1));
    }

    /// <summary>
    /// The bands a turns range [min, max] covers whole (Inside) and those it touches (Touched, a superset: Inside plus at
    /// most one cut band at each end), each as a first and last band, empty when no turn count is in the range.
    /// </summary>
    public static (Bands Inside, Bands Touched) Of(long? min, long? max)
    {
        var (low, high) = (min ?? long.MinValue, max ?? long.MaxValue);
        if (low > high || high < 0)
            return (Bands.None, Bands.None);
        var touched = new Bands(Of(Math.Max(low, 0)), Of(high));
        var from = Range(touched.From).Low >= low ? touched.From : touched.From + 1;
        var to = Range(touched.To).High <= high ? touched.To : touched.To - 1;
        return (new Bands(from, to), touched);
    }

    public readonly record struct Bands(int From, int To)
    {
        public static readonly Bands None = new(1, 0);

        public bool IsEmpty => From > To;
    }
}
