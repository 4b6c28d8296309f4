using Zespan.Core;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// The part [FromMs, ToMs) of one UTC hour (starting at Hour) that a cost range covers at either end (its partial hours,
/// <see cref="HourRange.Edges"/>). A session's cell of that hour (its calls of the hour per model, in its newest row)
/// lies wholly in the part when the session started at or after <see cref="StartedAtLeast"/> and ended before
/// <see cref="EndedBefore"/> — a call never ends before it starts (the parser refuses it), so no call of the session
/// starts outside them — and wholly outside when it started at or after ToMs or ended before FromMs. Only the other
/// sessions, those active at a cut, need their calls read from the spans (ClickHouseCostReader).
/// </summary>
internal readonly record struct EdgeHour(long Hour, long FromMs, long ToMs)
{
    /// <summary>The lowest start of a session whose calls of the hour all start at or after FromMs (none at the hour's start).</summary>
    public long StartedAtLeast => FromMs == Hour ? long.MinValue : FromMs;

    /// <summary>The end that a session whose calls of the hour all start before ToMs ends before (none at the hour's end).</summary>
    public long EndedBefore => ToMs == Hour + HourRange.HourMs ? long.MaxValue : ToMs;

    /// <summary>The hours the range's partial ends touch, each with its covered part: at most two.</summary>
    public static IReadOnlyList<EdgeHour> Of(HourRange hours)
    {
        var parts = new List<EdgeHour>(2);
        foreach (var (from, to) in hours.Edges)
        {
            // Edges are bounded at both ends: an open end has no partial hour.
            for (var hour = HourRange.Floor(from!.Value); hour < to!.Value; hour += HourRange.HourMs)
                parts.Add(new EdgeHour(hour, Math.Max(hour, from.Value), Math.Min(hour + HourRange.HourMs, to.Value)));
        }
        return parts;
    }
}
