using System.Globalization;

namespace Zespan.Core.Spans;

/// <summary>The one way timestamps are parsed from and written to the API: ISO 8601 with a zone, millisecond precision.</summary>
public static class Timestamps
{
    public static string Format(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses an ISO 8601 timestamp that names its zone (Z or an offset); a zone-less time is ambiguous and refused.</summary>
    public static bool TryParse(string? text, out long unixMs)
    {
        unixMs = 0;
        if (string.IsNullOrWhiteSpace(text) || !HasZone(text))
            return false;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
            return false;
        unixMs = value.ToUnixTimeMilliseconds();
        return true;
    }

    private static bool HasZone(string text)
    {
        if (text.EndsWith('Z') || text.EndsWith('z'))
            return true;
        // An offset such as +02:00 or -0500 after the time part.
        var timeStart = text.IndexOf('T', StringComparison.OrdinalIgnoreCase);
        if (timeStart < 0)
            return false;
        return text.IndexOfAny(['+', '-'], timeStart) > 0;
    }
}
