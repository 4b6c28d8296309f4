using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>Session queries over the aggregate rows the writer maintains; listing never groups raw spans.</summary>
public sealed class SqliteSessionReader(SqliteDatabase database) : ISessionReader
{
    public async Task<Page<SessionSummary>> ListAsync(long projectId, SessionQuery query, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var key = SessionSql.SortKey(query.Sort);

        // Without a user filter the rollup counts the matches exactly and cheaply, and that count picks the index;
        // with one, SQLite's own plan (the per-user index) and a plain COUNT over the user's sessions are already small.
        SessionRowPlan.Plan plan;
        if (SessionRollup.Covers(query.Filter))
        {
            var projectSessions = await ProjectSessionsAsync(connection, projectId, cancellationToken);
            var totalCount = query.Filter.ActiveDimensions == SessionDimensions.None
                ? projectSessions
                : (await SessionRollup.ReadTotalsAsync(connection, projectId, query.Filter, cancellationToken)).Sessions;
            plan = new(totalCount, SessionPagePlan.Covers(query.Filter)
                ? $" INDEXED BY {await SessionPagePlan.ChooseIndexAsync(connection, projectId, query, totalCount, projectSessions, cancellationToken)}"
                : "", TextAs.Candidates);
        }
        else
        {
            // Active time and q= are not in the rollup: counted from their own indexes, which also choose the page's.
            plan = await SessionRowPlan.ChooseAsync(connection, projectId, query, cancellationToken);
        }

        var source = new SessionPageSource(connection, projectId, query.Filter, plan.IndexHint, plan.TextAs, plan.KeysFirst, plan.Bands);
        var direction = query.Descending ? "DESC" : "ASC";
        var order = $"{string.Join(", ", key.Select(k => $"{k} {direction}"))}, s.session_id {direction}";
        void AfterCursor(StringBuilder sql, SqliteCommand command)
        {
            if (query.After is { } after)
            {
                var values = SessionSql.BindSortKey(command, query.Sort, after.SortValue);
                sql.Append($" AND ({string.Join(", ", key)}, s.session_id) {(query.Descending ? "<" : ">")} ({string.Join(", ", values)}, $afterId)");
                command.With("$afterId", after.SessionId);
            }
        }
        List<SessionSummary>? items = null;
        if (plan is { TurnsWalkBudget: { } turnsBudget, Bands: { } bands })
            items = await SessionTurnsWalk.ReadAsync(connection, projectId, query, bands, order, query.Limit + 1, turnsBudget, cancellationToken);
        if (items is null && plan.WalkBudget is { } budget && (items = await source.WalkAsync(AfterCursor, order, query.Limit + 1, budget, cancellationToken)) is null)
            source = plan.TextAs == TextAs.RowTest
                ? source with { IndexHint = "", TextAs = plan.WalkFallback } // q=: the walk cost more than reading the matches
                : source with { IndexHint = SessionRowPlan.ActiveRange, KeysFirst = true };
        items ??= await source.ReadAsync(AfterCursor, order, query.Limit + 1, cancellationToken);
        if (query.Sort == SessionSort.CostUsd)
            items = await OverBoundCostOrder.ApplyAsync(source, query, items, order, cancellationToken);

        string? next = null;
        if (items.Count > query.Limit)
        {
            items.RemoveRange(query.Limit, items.Count - query.Limit);
            next = SessionCursor.Of(items[^1], query.Sort, query.Descending).Encode();
        }
        return new Page<SessionSummary>(items, next, plan.TotalCount);
    }

    /// <summary>Kept exact by triggers (migration 030), so the unfiltered list does not count a million index entries.</summary>
    internal static async Task<long> ProjectSessionsAsync(SqliteConnection connection, long projectId, CancellationToken cancellationToken)
    {
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT coalesce((SELECT sessions FROM project_session_counts WHERE project_id = $p), 0)";
        count.With("$p", projectId);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// COUNT(*) of the matching session rows; indexHint (" INDEXED BY ...") names the index to count through. cutDaysOnly
    /// (with TextAs.Joined): only the search matches of the days the time range cuts (SessionSearch.JoinedFrom).
    /// </summary>
    internal static async Task<long> CountAsync(SqliteConnection connection, long projectId, SessionFilter filter, CancellationToken cancellationToken,
        string indexHint = "", TextAs textAs = TextAs.Candidates, bool cutDaysOnly = false)
    {
        await using var count = connection.CreateCommand();
        count.With("$p", projectId);
        var from = textAs == TextAs.Joined ? SessionSearch.JoinedFrom(count, filter, cutDaysOnly) : $"sessions s{indexHint}";
        var sql = new StringBuilder($"SELECT COUNT(*) FROM {from} WHERE s.project_id = $p");
        SessionSql.AppendFilter(sql, count, filter, textAs);
        count.CommandText = sql.ToString();
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<SessionDetail?> GetAsync(long projectId, string sessionId, bool withPayloads = true, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        SessionSummary? summary = null;
        await using (var one = connection.Command($"SELECT {SessionSql.Columns} FROM sessions s WHERE s.project_id = $p AND s.session_id = $s"))
        {
            one.With("$p", projectId).With("$s", sessionId);
            await using var reader = await one.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
                summary = SessionSql.Read(reader);
        }
        if (summary is null)
            return null;

        var timeline = new List<TimelineEntry>(summary.Turns);
        await using var calls = connection.Command(withPayloads ? TimelineWithPayloads : TimelineWithoutPayloads);
        calls.With("$p", projectId).With("$s", sessionId);
        await using (var reader = await calls.ExecuteReaderAsync(cancellationToken))
        {
            // Synchronous: Microsoft.Data.Sqlite's ReadAsync steps synchronously anyway and only adds a task per row.
            while (reader.Read())
            {
                timeline.Add(new TimelineEntry(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetNullableString(3), reader.GetInt64(4), reader.GetInt64(5),
                    new TokenUsage(reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(14)),
                    reader.GetNullableInt64(10), (SpanStatus)reader.GetInt32(11), reader.GetNullableString(12),
                    withPayloads ? reader.GetNullableString(15) : null, withPayloads ? reader.GetNullableString(16) : null,
                    UsageReported: reader.GetInt64(13) != 0));
            }
        }
        return new SessionDetail(summary, timeline);
    }

    public async Task<IReadOnlyDictionary<string, CallPayload>> GetPayloadsAsync(
        long projectId, string sessionId, IReadOnlyCollection<string>? spanIds, bool withInputs, CancellationToken cancellationToken = default)
    {
        var payloads = new Dictionary<string, CallPayload>(spanIds?.Count ?? 0, StringComparer.Ordinal);
        if (spanIds is { Count: 0 })
            return payloads;
        await using var connection = await database.OpenAsync(cancellationToken);
        // The prompt column is not even read when not wanted: it is most of a long session's bytes.
        var sql = $"SELECT sp.span_id, {(withInputs ? "pl.input" : "NULL")}, pl.output FROM spans sp LEFT JOIN span_payloads pl ON pl.span_row_id = sp.id "
            + "WHERE sp.project_id = $p AND sp.session_id = $s AND sp.kind = 1"
            + (spanIds is null ? "" : " AND sp.span_id IN (SELECT value FROM json_each($ids))");
        await using var command = connection.Command(sql);
        command.With("$p", projectId).With("$s", sessionId);
        if (spanIds is not null)
            command.With("$ids", System.Text.Json.JsonSerializer.Serialize(spanIds));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
            payloads[reader.GetString(0)] = new CallPayload(reader.GetNullableString(1), reader.GetNullableString(2));
        return payloads;
    }

    private const string TimelineColumns = """
        SELECT sp.span_id, sp.trace_id, sp.name, sp.model, sp.start_ms, sp.end_ms, sp.input_tokens, sp.output_tokens, sp.cached_input_tokens,
               sp.reasoning_tokens, sp.cost_pico, sp.status, sp.error, sp.usage_reported, sp.cache_creation_input_tokens
        """;

    private const string TimelineOrder = """
        WHERE sp.project_id = $p AND sp.session_id = $s AND sp.kind = 1
        ORDER BY sp.start_ms, sp.span_id
        """;

    private const string TimelineWithPayloads = TimelineColumns + ", pl.input, pl.output FROM spans sp LEFT JOIN span_payloads pl ON pl.span_row_id = sp.id " + TimelineOrder;

    // No payload join: a payload row lookup and two decoded strings per call that the caller would throw away.
    internal const string TimelineWithoutPayloads = TimelineColumns + " FROM spans sp " + TimelineOrder;

    public async Task<SessionStats> StatsAsync(long projectId, SessionFilter filter, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        SessionTotals totals;
        Int128 median, p95;
        if (SessionRollup.Covers(filter) && !await OverBound.AnyAsync(connection, projectId, cancellationToken))
        {
            // Sums from the hourly rollup; median and p95 from the daily cost bands for whole days and no other filter.
            totals = await SessionRollup.ReadTotalsAsync(connection, projectId, filter, cancellationToken);
            if (SessionCostBandPercentiles.Covers(filter))
                (median, p95) = await SessionCostBandPercentiles.ReadAsync(connection, projectId, filter, cancellationToken);
            else
                (median, p95) = await WalkOrReadPercentilesAsync(connection, projectId, filter, totals, cancellationToken);
        }
        else
        {
            totals = await SumSessionsAsync(connection, projectId, filter, cancellationToken);
            (median, p95) = Percentiles(await ReadPricedCostsAsync(connection, projectId, filter, cancellationToken));
        }
        return new SessionStats(
            totals.Sessions, totals.CostPico,
            // A session none of whose calls could be priced has an unknown cost (and cost_pico 0): averaged over priced sessions only.
            totals.PricedSessions == 0 ? 0 : (double)((decimal)totals.CostPico / totals.PricedSessions),
            median, p95,
            totals.Sessions == 0 ? 0 : (double)totals.Turns / totals.Sessions, totals.Turns, totals.SessionsWithErrors, totals.UnpricedCalls,
            totals.PricedSessions);
    }

    /// <summary>
    /// Median and p95 for a filter the cost bands do not hold (status, turns, a partial day): by counting along the cost
    /// index or — for a narrow date range, where that walk would pass many sessions outside the range — from the range's
    /// priced costs read into memory, whichever passes fewer entries.
    /// </summary>
    private async Task<(Int128 Median, Int128 P95)> WalkOrReadPercentilesAsync(SqliteConnection connection, long projectId, SessionFilter filter, SessionTotals totals, CancellationToken cancellationToken)
    {
        var walkCost = SessionCostPercentiles.WalkCost(totals, await ProjectSessionsAsync(connection, projectId, cancellationToken));
        var readCost = double.PositiveInfinity;
        if (filter.FromMs is not null || filter.ToMs is not null)
        {
            var window = filter.ActiveDimensions == SessionDimensions.Time
                ? totals
                : await SessionRollup.ReadTotalsAsync(connection, projectId, new SessionFilter { FromMs = filter.FromMs, ToMs = filter.ToMs }, cancellationToken);
            readCost = window.Sessions + 3.0 * totals.PricedSessions;
        }
        return readCost < walkCost
            ? Percentiles(await ReadPricedCostsAsync(connection, projectId, filter, cancellationToken))
            : await SessionCostPercentiles.WalkAsync(connection, projectId, filter, totals, cancellationToken);
    }

    private static (Int128 Median, Int128 P95) Percentiles(List<Int128> sortedCosts) =>
        (Core.Sessions.Percentiles.Median((IReadOnlyList<Int128>)sortedCosts), Core.Sessions.Percentiles.NearestRank((IReadOnlyList<Int128>)sortedCosts, 0.95));

    /// <summary>Totals by aggregating the matching session rows (for filters the rollup cannot answer: by user).</summary>
    private static async Task<SessionTotals> SumSessionsAsync(SqliteConnection connection, long projectId, SessionFilter filter, CancellationToken cancellationToken)
    {
        await using var totals = connection.CreateCommand();
        var sql = new StringBuilder(SessionRollup.SessionTotalsSql);
        totals.With("$p", projectId);
        SessionSql.AppendFilter(sql, totals, filter);
        totals.CommandText = sql.ToString();
        return await SessionRollup.ReadOneAsync(totals, cancellationToken);
    }

    /// <summary>The costs of the matching sessions that have at least one priced call, sorted.</summary>
    private static async Task<List<Int128>> ReadPricedCostsAsync(SqliteConnection connection, long projectId, SessionFilter filter, CancellationToken cancellationToken)
    {
        var pricedCosts = new List<Int128>();
        await using var costs = connection.CreateCommand();
        // The cost in its two parts (migration 150): exact past $9,223,372.03, where cost_sort stops.
        var sql = new StringBuilder("SELECT s.cost_high, s.cost_pico FROM sessions s WHERE s.project_id = $p AND s.unpriced_calls < s.turns");
        costs.With("$p", projectId);
        SessionSql.AppendFilter(sql, costs, filter);
        costs.CommandText = sql.ToString();
        await using (var reader = await costs.ExecuteReaderAsync(cancellationToken))
        {
            while (reader.Read()) // synchronous: Microsoft.Data.Sqlite reads are synchronous anyway, and this loop runs per session
                pricedCosts.Add(ExactSum.Join(reader.GetInt64(0), reader.GetInt64(1)));
        }
        pricedCosts.Sort();
        return pricedCosts;
    }

    public async Task<IReadOnlyList<SessionGroupCost>> BreakdownAsync(long projectId, SessionGrouping grouping, SessionFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (await OverBound.AnyAsync(connection, projectId, cancellationToken))
            return await JoinBreakdownAsync(connection, projectId, grouping, filter, limit, cancellationToken);
        if (grouping is SessionGrouping.ByUser
            && await UserBreakdown.TryReadAsync(connection, projectId, filter, await ProjectSessionsAsync(connection, projectId, cancellationToken), limit, cancellationToken) is { } byUser)
            return byUser;
        // Tags and metadata values over a time window come from the hourly rollups (migration 050); the other filters
        // are not in those rollups, so those breakdowns join the sessions as before.
        if (RollupBreakdown.Applies(grouping, filter))
            return await RollupBreakdown.QueryAsync(connection, projectId, grouping, filter, limit, cancellationToken);
        return await JoinBreakdownAsync(connection, projectId, grouping, filter, limit, cancellationToken);
    }

    /// <summary>The breakdown joined from the sessions of the filter, one row per group; every group when limit is null.</summary>
    internal static async Task<List<SessionGroupCost>> JoinBreakdownAsync(
        SqliteConnection connection, long projectId, SessionGrouping grouping, SessionFilter filter, int? limit, CancellationToken cancellationToken,
        SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var (groupColumn, join) = grouping switch
        {
            SessionGrouping.ByUser => ("s.user_id", ""),
            SessionGrouping.ByTag => ("g.tag", "LEFT JOIN session_tags g ON g.project_id = s.project_id AND g.session_id = s.session_id"),
            SessionGrouping.ByMetadata => ("g.value", "LEFT JOIN session_metadata g ON g.project_id = s.project_id AND g.session_id = s.session_id AND g.key = $key"),
            _ => throw new ArgumentOutOfRangeException(nameof(grouping)),
        };
        if (grouping is SessionGrouping.ByMetadata byMetadata)
            command.With("$key", byMetadata.Key);
        var sql = new StringBuilder($"SELECT {groupColumn}, COUNT(*), SUM(s.turns), SUM(s.total_tokens), {ExactSum.OfRow("s.")}, SUM(s.cost_unknown) FROM sessions s {join} WHERE s.project_id = $p");
        command.With("$p", projectId);
        SessionSql.AppendFilter(sql, command, filter);
        sql.Append($" GROUP BY {groupColumn}");
        command.CommandText = sql.ToString();

        var groups = new List<SessionGroupCost>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                groups.Add(new SessionGroupCost(reader.GetNullableString(0), reader.GetInt64(1), ExactSum.Read(reader, 4), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(6)));
        }
        // Ordered here, not by SQL: an ORDER BY SUM(cost) would overflow past 2^63 picodollars (see ExactSum).
        return limit is { } max ? BreakdownOrder.Top(groups, max) : groups;
    }

    public async Task<IReadOnlyList<TokenOutlier>> TokenOutliersAsync(long projectId, SessionFilter filter, double minRatio, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // A start range (the costs page's filter): from the tokens-per-turn bands and their index (migration 260).
        if (TokenOutlierSearch.Covers(filter))
            return await TokenOutlierSearch.FindAsync(connection, projectId, filter, minRatio, limit, cancellationToken);
        // Any other filter: two passes so that a month of sessions is never held as objects (1M summaries were ~100 MB): first only tokens
        // per turn, for the exact median; then SQLite returns just the sessions above the ratio, in order.
        var perTurn = new List<double>();
        await using (var command = connection.CreateCommand())
        {
            var sql = new StringBuilder("SELECT s.total_tokens, s.turns FROM sessions s WHERE s.project_id = $p");
            command.With("$p", projectId);
            SessionSql.AppendFilter(sql, command, filter);
            command.CommandText = sql.ToString();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (reader.Read())
                perTurn.Add((double)reader.GetInt64(0) / reader.GetInt64(1));
        }
        if (perTurn.Count == 0)
            return [];
        perTurn.Sort();
        var median = perTurn.Count % 2 == 1 ? perTurn[perTurn.Count / 2] : (perTurn[perTurn.Count / 2 - 1] + perTurn[perTurn.Count / 2]) / 2;
        if (median <= 0)
            return [];

        await using var outliers = connection.CreateCommand();
        // The same double arithmetic as TokenOutlier.Ratio, so the threshold and the order agree with it exactly.
        var outlierSql = new StringBuilder($"SELECT {SessionSql.Columns}, (CAST(s.total_tokens AS REAL) / s.turns) / $median AS ratio FROM sessions s WHERE s.project_id = $p");
        outliers.With("$p", projectId).With("$median", median).With("$minRatio", minRatio).With("$limit", limit);
        SessionSql.AppendFilter(outlierSql, outliers, filter);
        outlierSql.Append(" AND (CAST(s.total_tokens AS REAL) / s.turns) / $median >= $minRatio ORDER BY ratio DESC, s.session_id LIMIT $limit");
        outliers.CommandText = outlierSql.ToString();
        var result = new List<TokenOutlier>();
        await using (var reader = await outliers.ExecuteReaderAsync(cancellationToken))
        {
            while (reader.Read())
            {
                var session = SessionSql.Read(reader);
                result.Add(new TokenOutlier(session, (double)session.TotalTokens / session.Turns, median));
            }
        }
        return result;
    }
}
