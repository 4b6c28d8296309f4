namespace Zespan.Core.Sessions;

/// <summary>
/// The charts above the sessions list, for one filter: sessions and cost per session (median, p95) per UTC day of the
/// session's start, and how many sessions have how many turns. Cost per session is over the day's priced sessions
/// (at least one priced call); a day with none has an unknown (null) median and p95, never $0.
/// </summary>
public sealed record SessionOverview(IReadOnlyList<SessionDay> Days, IReadOnlyList<TurnBucket> Turns)
{
    public const long DayMs = 86_400_000;

    /// <summary>Turn buckets: 1, 2, 3–4, 5–8, 9–16, 17–32, 33–64, 65 and more (Max null).</summary>
    public static readonly IReadOnlyList<(int Min, int? Max)> TurnRanges = [(1, 1), (2, 2), (3, 4), (5, 8), (9, 16), (17, 32), (33, 64), (65, null)];

    /// <summary>
    /// The overview of a set of sessions (started time, cost or null when unpriced, turns), in any order. A session's
    /// cost has no upper bound (issue 12), so costs are 128-bit and the percentiles are <see cref="Percentiles"/>' own.
    /// </summary>
    public static SessionOverview Of(IEnumerable<(long StartedMs, Int128? CostPico, int Turns)> sessions)
    {
        var days = new SortedDictionary<long, (long Sessions, List<Int128> Costs)>();
        var turnCounts = new long[TurnRanges.Count];
        foreach (var (started, cost, turns) in sessions)
        {
            var day = started - (((started % DayMs) + DayMs) % DayMs);
            if (!days.TryGetValue(day, out var entry))
                entry = (0, []);
            if (cost is { } c)
                entry.Costs.Add(c);
            days[day] = (entry.Sessions + 1, entry.Costs);
            turnCounts[BucketOf(turns)]++;
        }
        var dayList = days.Select(d =>
        {
            d.Value.Costs.Sort();
            return new SessionDay(d.Key, d.Value.Sessions, d.Value.Costs.Count,
                d.Value.Costs.Count == 0 ? null : Percentiles.Median((IReadOnlyList<Int128>)d.Value.Costs),
                d.Value.Costs.Count == 0 ? null : Percentiles.NearestRank((IReadOnlyList<Int128>)d.Value.Costs, 0.95));
        }).ToList();
        var buckets = TurnRanges.Select((r, i) => new TurnBucket(r.Min, r.Max, turnCounts[i])).ToList();
        return new SessionOverview(dayList, buckets);
    }

    public static int BucketOf(int turns)
    {
        for (var i = 0; i < TurnRanges.Count; i++)
        {
            if (TurnRanges[i].Max is not { } max || turns <= max)
                return i;
        }
        return TurnRanges.Count - 1;
    }
}

/// <summary>One UTC day: sessions started, priced sessions, and the median and p95 cost per priced session (null when none).</summary>
public sealed record SessionDay(long DayMs, long Sessions, long PricedSessions, Int128? MedianCostPico, Int128? P95CostPico);

/// <summary>Sessions with between Min and Max turns (Max null: no upper bound).</summary>
public sealed record TurnBucket(int MinTurns, int? MaxTurns, long Sessions);
