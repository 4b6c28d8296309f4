using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Where one sessions page is read from: the filter, the index the planner chose and how q= is applied. Every read of a
/// page — the keyset walk and the exact over-bound cost order (<see cref="OverBoundCostOrder"/>) — goes through it, so
/// they apply the same filter the same way and differ only in their own condition and order.
/// KeysFirst: the page's index holds the filter and every sort key (sessions_by_active, migration 230), so the matching
/// entries are sorted from the index alone and only the page's rows are read, instead of one row read per match.
/// Bands: with TextAs.Facts, the banded reading the count used (SessionSearchBands.Read), so the page reads the same pieces.
/// </summary>
internal sealed record SessionPageSource(SqliteConnection Connection, long ProjectId, SessionFilter Filter, string IndexHint, TextAs TextAs,
    bool KeysFirst = false, SessionSearchBands.Reading? Bands = null)
{
    /// <summary>
    /// Matching sessions that also meet <paramref name="condition"/> (appended as " AND ..." and bound by it), in
    /// <paramref name="order"/>. indexHint: the page's index unless given (then "" lets SQLite choose, when q= joins).
    /// </summary>
    public async Task<List<SessionSummary>> ReadAsync(Action<StringBuilder, SqliteCommand> condition, string order, int limit, CancellationToken cancellationToken,
        string? indexHint = null)
    {
        await using var command = Connection.CreateCommand();
        command.With("$p", ProjectId).With("$limit", limit);
        var from = TextAs switch
        {
            TextAs.Joined => SessionSearch.JoinedFrom(command, Filter),
            TextAs.Facts => SessionSearchFacts.From(command, ProjectId, Filter, Bands),
            _ => $"sessions s{indexHint ?? IndexHint}",
        };
        // The matches' figures hold the filter and the sort keys but no other column: always keys first.
        var keysFirst = (KeysFirst && indexHint is null) || TextAs == TextAs.Facts;
        var sql = new StringBuilder($"SELECT {(keysFirst ? "s.session_id" : SessionSql.Columns)} FROM {from} WHERE s.project_id = $p");
        if (TextAs != TextAs.Facts) // SessionSearchFacts.From holds the filter
            SessionSql.AppendFilter(sql, command, Filter, TextAs);
        condition(sql, command);
        sql.Append($" ORDER BY {order} LIMIT $limit");
        // CROSS JOIN: the page's ids first, then their rows; as "session_id IN (...)" SQLite walked the outer sort
        // index testing every session against the list.
        command.CommandText = keysFirst
            ? $"SELECT {SessionSql.Columns} FROM ({SessionSql.Stored(sql.ToString())}) AS m CROSS JOIN sessions s ON s.project_id = $p AND s.session_id = m.session_id ORDER BY {order} LIMIT $limit"
            : sql.ToString();

        var items = new List<SessionSummary>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            items.Add(SessionSql.Read(reader));
        return items;
    }

    /// <summary>
    /// The first <paramref name="limit"/> matching sessions meeting <paramref name="condition"/> in <paramref name="order"/>,
    /// found by walking the page's index and testing each row's active time (the other filters from the index entry,
    /// as the plain walk does) — or, for q= as a row test, its text and other dimensions — reading at most
    /// <paramref name="budget"/> rows; null when the budget ran out first. Why a budget: the walk's length is estimated as
    /// if the filter were independent of the sort key, and when they are correlated (short sessions are cheap) a walk can
    /// pass nearly every session.
    /// </summary>
    public async Task<List<SessionSummary>?> WalkAsync(Action<StringBuilder, SqliteCommand> condition, string order, int limit, long budget, CancellationToken cancellationToken)
    {
        await using var command = Connection.CreateCommand();
        command.With("$p", ProjectId).With("$budget", budget);
        // Tested on each visited row (so counted against the budget): the active-time bounds, and with q= as a row test
        // every dimension but the time range and status (what a walk along the start index seeks to), since any of them
        // (turns, when sorting by cost) can be what the sort key is correlated with.
        var tested = TextAs == TextAs.RowTest
            ? Filter with { FromMs = null, ToMs = null, Status = SessionStatusFilter.Any }
            : new SessionFilter { MinActiveMs = Filter.MinActiveMs, MaxActiveMs = Filter.MaxActiveMs };
        var matches = new StringBuilder("(1");
        SessionSql.AppendFilter(matches, command, tested, TextAs);
        // coalesce: a NULL user or name makes the test NULL, which is "no".
        var sql = new StringBuilder($"SELECT {SessionSql.Columns}, coalesce({matches}), 0) FROM sessions s{IndexHint} WHERE s.project_id = $p");
        SessionSql.AppendFilter(sql, command, TextAs == TextAs.RowTest
            ? new SessionFilter { FromMs = Filter.FromMs, ToMs = Filter.ToMs, Status = Filter.Status }
            : Filter with { MinActiveMs = null, MaxActiveMs = null }, TextAs);
        condition(sql, command);
        sql.Append($" ORDER BY {order} LIMIT $budget");
        command.CommandText = sql.ToString();

        var items = new List<SessionSummary>(limit);
        long visited = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            visited++;
            if (reader.GetInt64(SessionSql.ColumnCount) != 0)
                items.Add(SessionSql.Read(reader));
            if (items.Count == limit)
                return items;
        }
        return visited < budget ? items : null;
    }
}
