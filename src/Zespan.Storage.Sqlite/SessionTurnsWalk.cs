using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The first page of q= beside a turns bound of a few turn counts (up to 16 turns), sorted by cost: each turn count's
/// indexed documents are walked in cost order along session_search_band_entries_by_cost (migration 400), each tested
/// (not pending, in the filter's ranges, its session row LIKE-tested and in the time range) until a page of them passes;
/// the page is the first of those pages and the pending documents that pass, together. Why: reading every match's
/// figures and sorting them cost ~90 ms of CPU for q=refund &amp; maxTurns=3 at 1 M sessions (33 k matches, load 15),
/// while a walk along the cost order alone (sessions_by_cost) passes 716 k sessions before the page's last one, since
/// sessions of few turns are the cheap ones. Each turn count's documents in cost order are a range of that index; with a
/// common word a page is a few hundred entries into each.
/// Exact: an entry of a document that is not pending holds its session's current turns and cost order (the indexer writes
/// it with the figures of migration 360), so each turn count's first page of passing entries is its share of the page,
/// and a pending document is tested on its session row instead. A turn count whose walk spends its budget before
/// finding a page ends the walk: the caller reads the page from the matches' figures instead.
/// </summary>
internal static class SessionTurnsWalk
{
    /// <summary>The most turn counts walked: each is a walk of its own.</summary>
    private const int MostTurnCounts = 8;

    /// <summary>
    /// Whether the walk can read this query's page: a first page sorted by cost, whose turns bound touches only bands of one
    /// turn count each (up to 16 turns), at most <see cref="MostTurnCounts"/> of them, beside an indexed q= (and nothing
    /// else but a status and a time range), read from the turns bands (<paramref name="bands"/>, SessionSearchBands.Read).
    /// </summary>
    public static bool Applies(SessionQuery query, SessionSearchBands.Reading? bands) =>
        query.After is null && query.Sort == SessionSort.CostUsd
        && bands?.Banded is { Figure: var figure, Touched: var touched } && figure == SessionSearchBands.Turns
        && touched.To <= SessionFigureBands.Exact && touched.To - touched.From + 1 <= MostTurnCounts;

    /// <summary>
    /// Entries each turn count's walk may visit: a visit (an index entry, a pending check, a session row by its text key)
    /// costs about twice reading a match's figures keys first, so the walks together stop at about that reading's cost,
    /// and at four pages at least.
    /// </summary>
    public static long Budget(SessionQuery query, SessionSearchBands.Reading bands, long matching)
    {
        var touched = bands.Banded.Touched;
        return Math.Max(4L * (query.Limit + 1), matching / (2L * (touched.To - touched.From + 1)));
    }

    /// <summary>
    /// The page (at most <paramref name="limit"/> sessions in <paramref name="order"/>, the reader's cost order), or null
    /// when a turn count's walk visited <paramref name="budget"/> entries without finding a page.
    /// </summary>
    public static async Task<List<SessionSummary>?> ReadAsync(SqliteConnection connection, long projectId, SessionQuery query, SessionSearchBands.Reading bands,
        string order, int limit, long budget, CancellationToken cancellationToken)
    {
        var filter = query.Filter;
        var (touched, ranges) = (bands.Banded.Touched, bands.Ranges);
        var direction = query.Descending ? "DESC" : "ASC";
        var page = new List<string>();
        for (var turns = touched.From; turns <= touched.To; turns++)
        {
            await using var walk = connection.CreateCommand();
            walk.With("$p", projectId).With("$turns", turns).With("$budget", budget);
            SessionSearch.BindRanges(walk, filter.Query!, ranges);
            var time = new StringBuilder();
            SessionSql.AppendFilter(time, walk, new SessionFilter { FromMs = filter.FromMs, ToMs = filter.ToMs }, TextAs.Facts);
            walk.CommandText = $"""
                SELECT e.session_id,
                       NOT EXISTS (SELECT 1 FROM session_search_facts_pending g WHERE g.id = e.id)
                       AND ({string.Join(" OR ", Enumerable.Range(0, ranges.Count).Select(i => SessionSearch.InRange("e.id", i)))})
                       AND EXISTS (SELECT 1 FROM sessions s WHERE s.project_id = $p AND s.session_id = e.session_id AND {SessionSearch.LikeMatches("s")}{time})
                FROM session_search_band_entries e INDEXED BY session_search_band_entries_by_cost
                WHERE e.project_id = $p AND e.turns = $turns
                ORDER BY e.cost_unknown {direction}, e.cost_sort {direction}, e.session_id {direction} LIMIT $budget
                """;
            long visited = 0, passed = 0;
            await using var reader = await walk.ExecuteReaderAsync(cancellationToken);
            while (passed < limit && await reader.ReadAsync(cancellationToken))
            {
                visited++;
                if (reader.GetInt64(1) != 0)
                {
                    page.Add(reader.GetString(0));
                    passed++;
                }
            }
            if (passed < limit && visited == budget)
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
