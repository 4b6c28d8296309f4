using System.Globalization;
using Microsoft.Extensions.Primitives;
using Zespan.Core.Spans;

namespace Zespan.Server.Components.Navigation;

/// <summary>
/// Turns the filter bar's date controls into the "from"/"to" the shared query layer reads:
/// a preset (range=24h|7d|30d, relative to now, so a bookmark keeps meaning "the last 7 days") or
/// calendar days from date inputs (yyyy-MM-dd, UTC; the "to" day is included). Full ISO timestamps pass through.
/// </summary>
public static class DateRangeQuery
{
    public static readonly IReadOnlyList<(string Value, string Label, TimeSpan Span)> Presets =
    [
        ("24h", "Last 24 h", TimeSpan.FromHours(24)),
        ("7d", "Last 7 days", TimeSpan.FromDays(7)),
        ("30d", "Last 30 days", TimeSpan.FromDays(30)),
    ];

    public static bool TryNormalize(IQueryCollection query, DateTimeOffset now, out IQueryCollection normalized, out string? error)
    {
        normalized = query;
        error = null;
        var values = query.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        var range = query["range"].ToString();
        if (range is { Length: > 0 } && range != "custom")
        {
            var preset = Presets.FirstOrDefault(p => p.Value == range);
            if (preset.Value is null)
            {
                error = $"\"range\" must be one of {string.Join(", ", Presets.Select(p => p.Value))} or custom; got \"{range}\".";
                return false;
            }
            values["from"] = Timestamps.Format((now - preset.Span).ToUnixTimeMilliseconds());
            values.Remove("to");
        }
        else
        {
            if (CalendarDay(query["from"]) is { } fromDay)
                values["from"] = Timestamps.Format(new DateTimeOffset(fromDay, TimeSpan.Zero).ToUnixTimeMilliseconds());
            if (CalendarDay(query["to"]) is { } toDay)
            {
                if (toDay == DateTime.MaxValue.Date)
                {
                    error = "\"to\" must be a day before 9999-12-31 (the day is included, so its end is past the last date there is).";
                    return false;
                }
                values["to"] = Timestamps.Format(new DateTimeOffset(toDay.AddDays(1), TimeSpan.Zero).ToUnixTimeMilliseconds());
            }
        }
        normalized = new QueryCollection(values);
        return true;
    }

    /// <summary>The bound that a preset or day input stands for, for showing "since ..." next to the filters.</summary>
    public static long? PresetStart(IQueryCollection query, DateTimeOffset now)
    {
        var preset = Presets.FirstOrDefault(p => p.Value == query["range"].ToString());
        return preset.Value is null ? null : (now - preset.Span).ToUnixTimeMilliseconds();
    }

    private static DateTime? CalendarDay(StringValues text) =>
        DateTime.TryParseExact(text.ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;
}
