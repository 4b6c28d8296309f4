using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Which search documents can match a filter's status and time range, as rowid ranges of the search index. A project's
/// documents span 2^40 ids from project × 2^40 (migration 160); those of its sessions with errors are the upper half
/// (280); within a half, the documents are ordered by the UTC day the session started, 2^24 ids a day (340). So the
/// sessions started on whole days of the range are one rowid range per half, which FTS5 applies while reading its
/// doclists (nothing read to test the start), and only a day the range cuts (its first or last) needs the row test.
/// Day 0 and day 32767 hold clamped starts and day 32767 a full day's overflow: never whole, and day 32767 is always a
/// candidate.
/// </summary>
internal static class SessionSearchDays
{
    public const long ProjectIds = 1L << 40, ErrorIds = 1L << 39, DayIds = 1L << 24;
    private const long DayMs = 86_400_000;
    private const int LastDay = 32767;

    /// <summary>Ids [From, To) relative to project × 2^40. Whole: every document in it starts inside the time range.</summary>
    public readonly record struct Range(long From, long To, bool Whole);

    /// <summary>The day a start is filed under, as migration 340 computes it (integer division truncates toward zero in both).</summary>
    public static int Day(long startedMs) => (int)Math.Clamp(startedMs / DayMs, 0, LastDay);

    /// <summary>The ranges holding every document that can match the filter's status and time range (no other dimension).</summary>
    public static IReadOnlyList<Range> Of(SessionFilter filter)
    {
        long[] halves = filter.Status switch
        {
            SessionStatusFilter.Error => [ErrorIds],
            SessionStatusFilter.Ok => [0],
            _ => [],
        };
        if (filter.FromMs is null && filter.ToMs is null)
            return halves.Length == 0 ? [new Range(0, ProjectIds, true)] : [new Range(halves[0], halves[0] + ErrorIds, true)];
        if (halves.Length == 0)
            halves = [0, ErrorIds];

        int first = filter.FromMs is { } from ? Day(from) : 0, last = filter.ToMs is { } to ? Day(to - 1) : LastDay;
        bool Whole(int day) => day is not 0 and not LastDay
            && (filter.FromMs is not { } from || from <= day * DayMs) && (filter.ToMs is not { } to || (day + 1) * DayMs <= to);
        var days = new List<(int First, int Last, bool Whole)>();
        if (first <= last)
        {
            int wholeFirst = Whole(first) ? first : first + 1, wholeLast = Whole(last) ? last : last - 1;
            if (!Whole(first))
                days.Add((first, first, false));
            if (wholeFirst <= wholeLast)
                days.Add((wholeFirst, wholeLast, true));
            if (!Whole(last) && last != first)
                days.Add((last, last, false));
        }
        if (days.Count == 0 || days[^1].Last != LastDay)
            days.Add((LastDay, LastDay, false));
        return [.. halves.SelectMany(half => days.Select(d => new Range(half + d.First * DayIds, half + (d.Last + 1) * DayIds, d.Whole)))];
    }
}
