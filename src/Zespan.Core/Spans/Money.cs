namespace Zespan.Core.Spans;

/// <summary>Conversions between US dollars and the picodollar integers the store sums exactly.</summary>
public static class Money
{
    public const long PicoPerUsd = 1_000_000_000_000L;

    public static long UsdToPico(decimal usd) => (long)Math.Round(usd * PicoPerUsd, MidpointRounding.AwayFromZero);

    public static long UsdToPico(double usd) => UsdToPico((decimal)usd);

    public static double PicoToUsd(long pico) => (double)((decimal)pico / PicoPerUsd);

    public static double? PicoToUsd(long? pico) => pico is { } p ? PicoToUsd(p) : null;
}
