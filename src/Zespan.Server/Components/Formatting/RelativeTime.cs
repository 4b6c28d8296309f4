using System.Globalization;

namespace Zespan.Server.Components.Formatting;

/// <summary>"5 min ago", "3 d ago": how long ago something happened, for lists where the exact time matters less.</summary>
public static class RelativeTime
{
    public static string Ago(long unixMs, DateTimeOffset now)
    {
        var elapsed = now - DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
        if (elapsed < TimeSpan.FromMinutes(1))
            return elapsed < TimeSpan.Zero ? "just now" : "less than a minute ago";
        if (elapsed < TimeSpan.FromHours(1))
            return Count((int)elapsed.TotalMinutes, "min") + " ago";
        if (elapsed < TimeSpan.FromDays(1))
            return Count((int)elapsed.TotalHours, "h") + " ago";
        if (elapsed < TimeSpan.FromDays(60))
            return Count((int)elapsed.TotalDays, "d") + " ago";
        return DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    private static string Count(int value, string unit) => value.ToString(CultureInfo.InvariantCulture) + " " + unit;
}
