using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Chooses the index a filtered sessions page is read through, from exact match counts (the hourly rollup) instead of
/// SQLite's guesses. Why: without per-value statistics SQLite cannot tell "7 days of a month" from "7 days of a decade"
/// and picked a date-range scan plus sort (~230k entries at 1M sessions) where walking the sort index would stop after
/// a few thousand. Costs are in index entries visited; a table lookup (needed for every row a range scan sorts) counts
/// as <see cref="LookupCost"/> entries. Every sort index carries the filter columns (migration 040), so a walk checks
/// filters from the index alone.
/// </summary>
internal static class SessionPagePlan
{
    /// <summary>
    /// The dimensions whose match counts the estimate can read (it counts through <see cref="SessionRollup"/>) and for which
    /// it knows the index to consider. For any other, the caller leaves the choice to SQLite.
    /// </summary>
    public const SessionDimensions Supported = SessionDimensions.Time | SessionDimensions.Status | SessionDimensions.MinTurns;

    public static bool Covers(SessionFilter filter) => Supported.Supports(filter) && SessionRollup.Covers(filter);

    private const double LookupCost = 15;
    /// <summary>Below this many entries the walk in sort order is cheap enough that counting alternatives is not worth it.</summary>
    private const double GoodEnough = 20_000;

    public static async Task<string> ChooseIndexAsync(SqliteConnection connection, long projectId, SessionQuery query, long matching, long projectSessions, CancellationToken cancellationToken)
    {
        var filter = query.Filter;
        if (!Covers(filter))
            throw new ArgumentException($"The page planner holds only {Supported}; leave the index to SQLite for {filter.ActiveDimensions & ~Supported}.", nameof(query));
        var sortIndex = SessionSql.SortIndex(query.Sort);
        // Walking in sort order visits about (rows wanted) / (fraction of sessions that match) entries, at most all of them.
        var best = (Index: sortIndex, Cost: Math.Min(projectSessions, (query.Limit + 1.0) * projectSessions / Math.Max(matching, 1)));
        if (best.Cost <= GoodEnough)
            return best.Index;

        async Task Consider(string index, SessionFilter rangeOnly)
        {
            var inRange = (await SessionRollup.ReadTotalsAsync(connection, projectId, rangeOnly, cancellationToken)).Sessions;
            // A range on the sort index itself bounds the walk and needs no sort (e.g. a 45-minute window sorted by start,
            // which the estimate above takes for a walk through the whole index); on another index every match is looked up and sorted.
            var cost = index == sortIndex ? Math.Min(best.Cost, inRange) : inRange + LookupCost * matching;
            if (cost < best.Cost)
                best = (index, cost);
        }
        if (filter.FromMs is not null || filter.ToMs is not null)
            await Consider("sessions_by_started", new SessionFilter { FromMs = filter.FromMs, ToMs = filter.ToMs });
        if (filter.MinTurns is { } minTurns)
            await Consider("sessions_by_turns", new SessionFilter { MinTurns = minTurns });
        if (filter.Status == SessionStatusFilter.Error)
            await Consider("sessions_by_errors", new SessionFilter { Status = SessionStatusFilter.Error });
        return best.Index;
    }
}
