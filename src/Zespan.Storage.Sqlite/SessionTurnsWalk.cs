using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The first page of q= beside a turns bound of a few turn counts (at most <see cref="MostTurnCounts"/>, of any size), sorted
/// by cost: each turn count's indexed documents are read in cost order along session_search_band_entries_by_cost
/// (migration 400), the streams merged into one cost order by SQLite (a compound SELECT whose ORDER BY is each arm's
/// index order: a merge of coroutines, each arm read only as far as the merge takes it), each entry tested (not pending,
/// in the filter's ranges, its session row LIKE-tested and in the time range) until a page of them passes; the page is
/// that one and the pending documents that pass, together. Why: reading every match's figures and sorting them cost ~90
/// ms of CPU for q=refund &amp; maxTurns=3 at 1 M sessions (33 k matches, load 15) and 180 ms for maxTurns=20 (81 k),
/// while a walk along the cost order alone (sessions_by_cost) passes 716 k sessions before the maxTurns=3 page's last one,
/// since sessions of few turns are the cheap ones. Merged, the maxTurns=20 page is 677 entries in (2.6 ms of CPU for 700).
/// Per turn count, not per band: the index orders each turn count by cost, so a band above 16 (several turn counts) is
/// not one cost-ordered range, and a bound that cuts it keeps exactly its own turn counts.
/// Exact: an entry of a document that is not pending holds its session's current turns and cost order (the indexer writes
/// it with the figures of migration 360), so the first page of passing entries in the merged order is the page of the
/// indexed documents, and a pending document is tested on its session row instead. A walk that spends its budget before
/// finding a page ends: the caller reads the page from the matches' figures instead.
/// </summary>
internal static class SessionTurnsWalk
{
    /// <summary>
    /// The most turn counts merged: each is an arm of the statement (~30 µs to prepare and seek at 1 M sessions, load 11:
    /// 0.7 ms before the first row for 21, 1.3 ms for 32). maxTurns=20 takes 21.
    /// </summary>
    private const int MostTurnCounts = 32;

    /// <summary>The turn counts the filter's turns bound keeps, lowest and highest; none without a maximum.</summary>
    private static (long Low, long High)? TurnCounts(SessionFilter filter) =>
        filter.MaxTurns is { } max ? (Math.Max(filter.MinTurns ?? 0, 0), max) : null;

    /// <summary>
    /// Whether the walk can read this query's page: a first page sorted by cost, whose turns bound keeps at most
    /// <see cref="MostTurnCounts"/> turn counts, beside an indexed q= (and nothing else but a status and a time range), read
    /// from the turns bands (<paramref name="bands"/>, SessionSearchBands.Read).
    /// </summary>
    public static bool Applies(SessionQuery query, SessionSearchBands.Reading? bands) =>
        query.After is null && query.Sort == SessionSort.CostUsd
        && bands?.Banded.Figure == SessionSearchBands.Turns
        && TurnCounts(query.Filter) is var (low, high) && high >= low && high - low < MostTurnCounts;

    /// <summary>
    /// Entries the walk may visit: a visit (an index entry, a pending check, a session row by its text key) costs about
    /// twice reading a match's figures keys first, so the walk stops at about that reading's cost, and at four pages at least.
    /// </summary>
    public static long Budget(SessionQuery query, long matching) => Math.Max(4L * (query.Limit + 1), matching / 2);

    /// <summary>
    /// The page (at most <paramref name="limit"/> sessions in <paramref name="order"/>, the reader's cost order), or null
    /// when the walk visited <paramref name="budget"/> entries without finding a page.
    /// </summary>
    public static async Task<List<SessionSummary>?> ReadAsync(SqliteConnection connection, long projectId, SessionQuery query, SessionSearchBands.Reading bands,
        string order, int limit, long budget, CancellationToken cancellationToken)
    {
        var filter = query.Filter;
        var ranges = bands.Ranges;
        var (low, high) = TurnCounts(filter)!.Value;
        var direction = query.Descending ? "DESC" : "ASC";
        var page = new List<string>();
        await using (var walk = connection.CreateCommand())
        {
            walk.With("$p", projectId).With("$budget", budget);
            SessionSearch.BindRanges(walk, filter.Query!, ranges);
            var time = new StringBuilder();
            SessionSql.AppendFilter(time, walk, new SessionFilter { FromMs = filter.FromMs, ToMs = filter.ToMs }, TextAs.Facts);
            var passes = $"""
                NOT EXISTS (SELECT 1 FROM session_search_facts_pending g WHERE g.id = e.id)
                AND ({string.Join(" OR ", Enumerable.Range(0, ranges.Count).Select(i => SessionSearch.InRange("e.id", i)))})
                AND EXISTS (SELECT 1 FROM sessions s WHERE s.project_id = $p AND s.session_id = e.session_id AND {SessionSearch.LikeMatches("s")}{time})
                """;
            // One arm per turn count (an equality, so the index delivers it in cost order); the compound's ORDER BY names
            // the result columns, so SQLite merges the arms instead of sorting them.
            var arms = new List<string>();
            for (var k = 0; k <= high - low; k++)
            {
                walk.With($"$turns{k}", low + k);
                arms.Add($"""
                    SELECT e.session_id, e.cost_unknown, e.cost_sort, {passes}
                    FROM session_search_band_entries e INDEXED BY session_search_band_entries_by_cost
                    WHERE e.project_id = $p AND e.turns = $turns{k}
                    """);
            }
            walk.CommandText = $"{string.Join(" UNION ALL ", arms)} ORDER BY 2 {direction}, 3 {direction}, 1 {direction} LIMIT $budget";
            long visited = 0;
            await using var reader = await walk.ExecuteReaderAsync(cancellationToken);
            while (page.Count < limit && await reader.ReadAsync(cancellationToken))
            {
                visited++;
                if (reader.GetInt64(3) != 0)
                    page.Add(reader.GetString(0));
            }
            if (page.Count < limit && visited == budget)
                return null;
        }

        await using var read = connection.CreateCommand();
        read.With("$p", projectId).With("$limit", limit).With("$ids", JsonSerializer.Serialize(page));
        var conditions = SessionSearchFacts.Conditions(read, filter);
        SessionSearch.BindRanges(read, filter.Query!, ranges);
        // CROSS JOIN: the candidates first, then their rows; as "session_id IN (...)" SQLite walked sessions_by_cost
        // testing every session against the list (1.8 s at 1 M sessions).
        read.CommandText = $"""
            SELECT {SessionSql.Columns}
            FROM (SELECT value AS session_id FROM json_each($ids) UNION ALL SELECT s.session_id {SessionSearchFacts.Pending(ranges.Count)} AND {conditions}) AS m
            CROSS JOIN sessions s ON s.project_id = $p AND s.session_id = m.session_id
            ORDER BY {order} LIMIT $limit
            """;
        var items = new List<SessionSummary>(limit);
        await using (var rows = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await rows.ReadAsync(cancellationToken))
                items.Add(SessionSql.Read(rows));
        }
        return items;
    }
}
