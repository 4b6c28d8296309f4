using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The exact totalCount and the page's index for the filters the hourly rollup does not hold: the active time (counted
/// from its own hourly bands, or along the range of sessions_by_active) and q= (SessionSearchPlan: counted in the search
/// index, migrations 160, 280, 340, or for one or two characters in the gram index, 350). Why: SQLite, without
/// statistics, read a 43 % active-time range row by row and sorted it where walking the start index stops after a page;
/// q= read a document row per match to count, and walked a whole sort index for a match or two.
/// The page is then read either by walking the sort index, testing each visited row, which visits about
/// (rows wanted) × sessions / matches entries, or from the matches themselves, each looked up and the whole set sorted.
/// Costs are in row reads. Any other dimension (a user) is left to SQLite with a plain COUNT, as before.
/// </summary>
internal static class SessionRowPlan
{
    /// <summary>
    /// WalkBudget: when set, first walk the index of IndexHint visiting at most this many entries; if that finds no page,
    /// read it from the active-time range, keys first (SessionPageSource.KeysFirst) — or, for q= as a row test, from the
    /// matches as WalkFallback says (joined, or their figures). KeysFirst: read the page that way. TurnsWalkBudget: when
    /// set, first read the page by SessionTurnsWalk with this budget; if it runs out, as TextAs says.
    /// Bands: the banded reading the count used (SessionSearchBands.Read), which the page's matches are read from too.
    /// </summary>
    public readonly record struct Plan(long TotalCount, string IndexHint, TextAs TextAs, long? WalkBudget = null, bool KeysFirst = false,
        TextAs WalkFallback = TextAs.Joined, long? TurnsWalkBudget = null, SessionSearchBands.Reading? Bands = null);

    /// <summary>The active-time range read keys first: its index holds the filter and every sort key (migration 230).</summary>
    public static readonly string ActiveRange = Hint("sessions_by_active");

    /// <summary>A match read from the search index costs its document row and its session row.</summary>
    internal const double IndexedMatchCost = 2;

    /// <summary>Index entries visited for the cost of one row lookup (as in SessionPagePlan).</summary>
    internal const double LookupCost = 15;

    /// <summary>
    /// Covering index entries read and top-N sorted for the cost of one row lookup: LookupCost entries walked, less the
    /// sorter's work per entry (at 1 M sessions a walk reading a row per entry took ~1.2 µs an entry, a covering count
    /// ~80 ns; docs/benchmarks.md, issue 18).
    /// </summary>
    private const double SortedEntriesPerLookup = 10;

    /// <summary>
    /// How many times its estimate a walk may visit before the page is read the other way. Why: the estimate assumes the
    /// filter independent of the sort key; a correlated one (the short or few-turn sessions are the cheap ones, sorted
    /// by cost) finds nothing within any budget near the other way's cost, so it wasted all of it before falling back
    /// (maxActiveMs=60000 by cost at 1 M sessions: a 13.6 k-entry walk, 36 ms, then the range, 17 ms).
    /// </summary>
    internal const double WalkMargin = 4;

    public static async Task<Plan> ChooseAsync(SqliteConnection connection, long projectId, SessionQuery query, CancellationToken cancellationToken)
    {
        var filter = query.Filter;
        var byUser = filter.UserId is not null;
        if (filter.Query is { } text && SessionSearch.Indexed(text))
            return await SessionSearchPlan.ChooseAsync(connection, projectId, query, text, cancellationToken);
        if ((filter.ActiveDimensions & SessionDimensions.ActiveTime) != 0 && filter.Query is null && !byUser)
        {
            // From the active-time bands when they hold the filter (with a start range and an error state); else (turns)
            // along the covering active-time index (migration 200), which reads no row.
            var total = SessionActiveTimeCount.Covers(filter)
                ? await SessionActiveTimeCount.CountAsync(connection, projectId, filter, cancellationToken)
                : await SqliteSessionReader.CountAsync(connection, projectId, filter, cancellationToken, Hint("sessions_by_active"));
            if (query.Sort == SessionSort.ActiveDurationMs)
                return new(total, ActiveRange, TextAs.Candidates);
            // Either walk the sort index testing each row's active time (a row read per entry visited), or sort the
            // active-time range's entries, which hold every sort key (no row read). The walk's length assumes the filter
            // independent of the sort key; it stops at WalkMargin times that length (and never beyond what the range
            // would cost), so a correlated filter (the short sessions are the cheap ones) costs a short walk and the range.
            var walk = WalkCost(query, await SqliteSessionReader.ProjectSessionsAsync(connection, projectId, cancellationToken), total);
            var rangeOnly = new SessionFilter { MinActiveMs = filter.MinActiveMs, MaxActiveMs = filter.MaxActiveMs };
            var inRange = filter == rangeOnly ? total : await SessionActiveTimeCount.CountAsync(connection, projectId, rangeOnly, cancellationToken);
            var rangeCost = inRange / SortedEntriesPerLookup;
            return walk < rangeCost
                ? new(total, Hint(SessionSql.SortIndex(query.Sort)), TextAs.Candidates, WalkBudget: (long)Math.Ceiling(Math.Min(rangeCost, WalkMargin * walk)))
                : new(total, ActiveRange, TextAs.Candidates, KeysFirst: true);
        }
        return new(await SqliteSessionReader.CountAsync(connection, projectId, filter, cancellationToken), "", TextAs.Candidates);
    }

    /// <summary>Rows read walking the sort index until a page (and the row telling whether there is a next) is found.</summary>
    internal static double WalkCost(SessionQuery query, long sessions, long matching) =>
        Math.Min(sessions, (query.Limit + 1.0) * sessions / Math.Max(matching, 1));

    internal static string Hint(string index) => $" INDEXED BY {index}";
}
