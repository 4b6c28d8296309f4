namespace Zespan.Core.Spans;

/// <summary>
/// Conversions between US dollars and the picodollar integers the store sums exactly. One call's cost and one session or
/// trace row fit in 64 bits (up to $9,223,372.03); an hour of one model, the per-user totals and sums across rows are
/// Int128 (up to about $1.7 × 10^26), so no total a customer can reach overflows.
/// </summary>
public static class Money
{
    public const long PicoPerUsd = 1_000_000_000_000L;

    public static long UsdToPico(decimal usd) => (long)Math.Round(usd * PicoPerUsd, MidpointRounding.AwayFromZero);

    public static long UsdToPico(double usd) => UsdToPico((decimal)usd);

    /// <summary>A cost clamped into 64 bits ($9,223,372.03): a sort key or a per-session percentile, never a sum.</summary>
    public static long Clamp64(Int128 pico) => (long)Int128.Clamp(pico, long.MinValue, long.MaxValue);

    public static double PicoToUsd(long pico) => (double)((decimal)pico / PicoPerUsd);

    public static double? PicoToUsd(long? pico) => pico is { } p ? PicoToUsd(p) : null;

    /// <summary>A sum across rows. Decimal holds 28 digits, dollars with 12 decimals up to $7.9 × 10^16 exactly.</summary>
    public static double PicoToUsd(Int128 pico) => (double)((decimal)pico / PicoPerUsd);

    public static double? PicoToUsd(Int128? pico) => pico is { } p ? PicoToUsd(p) : null;

    /// <summary>
    /// The one rule for an aggregate's cost (a session, a trace, a model, a bucket): unknown — null in the API, "unpriced"
    /// on pages, never $0 — when it has calls and none of them was priced.
    /// </summary>
    public static bool IsUnknown(long calls, long unpricedCalls) => calls > 0 && unpricedCalls == calls;
}
