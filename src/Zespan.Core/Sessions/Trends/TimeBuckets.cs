namespace Zespan.Core.Sessions.Trends;

/// <summary>The width of a trend bucket. Buckets are UTC: hours, days from midnight, weeks from Monday midnight (ISO).</summary>
public enum BucketSize { Hour, Day, Week }

/// <summary>
/// Whole buckets covering a range: the start is floored and the end ceiled to bucket boundaries, so no bucket is partial.
/// Bucket i holds the sessions that started in [StartOf(i), StartOf(i + 1)).
/// </summary>
public sealed record TimeBuckets(BucketSize Size, long FromMs, long ToMs)
{
    public const long HourMs = 3_600_000;
    public const long DayMs = 24 * HourMs;
    public const long WeekMs = 7 * DayMs;
    /// <summary>The Unix epoch was a Thursday: the first Monday 00:00 UTC is 4 days later.</summary>
    private const long FirstMondayMs = 4 * DayMs;

    public long WidthMs => Size switch { BucketSize.Hour => HourMs, BucketSize.Day => DayMs, _ => WeekMs };

    public int Count => (int)((ToMs - FromMs) / WidthMs);

    public long StartOf(int index) => FromMs + index * WidthMs;

    public int IndexOf(long ms) => (int)((ms - FromMs) / WidthMs);

    /// <summary>The whole buckets covering [from, to).</summary>
    public static TimeBuckets Covering(BucketSize size, long fromMs, long toMs)
    {
        var width = size switch { BucketSize.Hour => HourMs, BucketSize.Day => DayMs, _ => WeekMs };
        var origin = size == BucketSize.Week ? FirstMondayMs : 0;
        var from = Floor(fromMs - origin, width) + origin;
        var to = Floor(toMs - origin - 1, width) + origin + width;
        return new TimeBuckets(size, from, Math.Max(to, from + width));
    }

    /// <summary>How many buckets [from, to) would need, without building them (to refuse huge ranges first).</summary>
    public static long CountCovering(BucketSize size, long fromMs, long toMs)
    {
        var width = size switch { BucketSize.Hour => HourMs, BucketSize.Day => DayMs, _ => WeekMs };
        return (toMs - fromMs) / width + 2;
    }

    private static long Floor(long value, long width) => value >= 0 ? value / width * width : -((-value + width - 1) / width) * width;
}
