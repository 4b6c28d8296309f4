using System.Globalization;
using Zespan.Core.Spans;

namespace Zespan.Server.Components.Formatting;

/// <summary>How numbers, money, durations and times are written on every page, so the same figure always reads the same.</summary>
public static class Display
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// Dollars with enough significant digits for sub-cent LLM costs: $12.34, $0.25, $0.0048, $0.000123.
    /// Under a dollar we keep three significant digits, because two-decimal rounding would show most calls as $0.00.
    /// </summary>
    public static string Money(long pico) => Money((Int128)pico);

    /// <summary>A sum across rows (see Core's Money).</summary>
    public static string Money(Int128 pico)
    {
        var usd = (decimal)pico / Zespan.Core.Spans.Money.PicoPerUsd;
        if (usd == 0)
            return "$0.00";
        var sign = usd < 0 ? "-" : "";
        usd = Math.Abs(usd);
        if (usd >= 1)
            return sign + "$" + usd.ToString("#,##0.00", Invariant);
        var leadingZeros = (int)Math.Floor(-Math.Log10((double)usd));
        var decimals = Math.Clamp(leadingZeros + 3, 2, 12);
        var text = Math.Round(usd, decimals, MidpointRounding.AwayFromZero).ToString("0." + new string('0', decimals), Invariant);
        // Trim trailing zeros past the cents: $0.0048, not $0.00480.
        var dot = text.IndexOf('.');
        var end = text.Length;
        while (end > dot + 3 && text[end - 1] == '0')
            end--;
        return sign + "$" + text[..end];
    }

    public static string Money(long? pico) => pico is { } p ? Money(p) : "—";

    public static string Money(Int128? pico) => pico is { } p ? Money(p) : "—";

    public static string Money(double picoAverage) => Money(Int128.CreateTruncating(Math.Round(picoAverage, MidpointRounding.AwayFromZero)));

    /// <summary>"unpriced" where no call could be priced: an unknown cost is never shown as $0.</summary>
    public static string MoneyOrUnpriced(Int128 pico, bool unknown) => unknown ? "unpriced" : Money(pico);

    /// <summary>Exact dollars for machine-readable attributes and CSV (invariant, no rounding).</summary>
    public static string UsdExact(long pico) => UsdExact((Int128)pico);

    public static string UsdExact(Int128 pico) => ((decimal)pico / Zespan.Core.Spans.Money.PicoPerUsd).ToString("0.############", Invariant);

    /// <summary>850 ms, 1.25 s, 3 m 20 s, 2 h 5 m, 3 d 4 h.</summary>
    public static string Duration(double ms)
    {
        if (ms < 0)
            ms = 0;
        if (ms < 1000)
            return Math.Round(ms).ToString("0", Invariant) + " ms";
        if (ms < 60_000)
            return (ms / 1000).ToString(ms < 10_000 ? "0.00" : "0.0", Invariant) + " s";
        var total = TimeSpan.FromMilliseconds(ms);
        if (total.TotalHours < 1)
            return $"{total.Minutes} m {total.Seconds} s";
        if (total.TotalDays < 1)
            return $"{(int)total.TotalHours} h {total.Minutes} m";
        return $"{(int)total.TotalDays} d {total.Hours} h";
    }

    /// <summary>UTC date and time to the second; column headers carry the "UTC" label.</summary>
    public static string Time(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Invariant);

    /// <summary>UTC time with milliseconds, for span timings where the sub-second part matters.</summary>
    public static string PreciseTime(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", Invariant) + " UTC";

    public static string Iso(long unixMs) => Timestamps.Format(unixMs);

    public static string Count(long value) => value.ToString("#,##0", Invariant);

    public static string Count(double value) => value.ToString("#,##0.#", Invariant);
}
