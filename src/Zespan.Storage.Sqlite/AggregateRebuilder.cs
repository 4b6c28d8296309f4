using Microsoft.Data.Sqlite;
using Zespan.Core.Spans;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Rebuilds a session's or a trace's aggregate row from the spans that remain. Used when a span is replaced or deleted:
/// sums could be subtracted, but extremes (first start, earliest user) cannot, so the row is recomputed instead.
/// A session or trace with no spans left disappears.
/// </summary>
internal static class AggregateRebuilder
{
    /// <summary>
    /// The user by SQLite from the session's index (one seek), figures, tags and metadata in one pass over its calls
    /// (SessionScan): no object per call, so a rebuild in a 20,000-turn session stays a few tens of ms.
    /// </summary>
    public static void RebuildSession(SqliteConnection connection, SqliteTransaction transaction, long projectId, string sessionId)
    {
        using (var delete = connection.Command(
            "DELETE FROM sessions WHERE project_id = $p AND session_id = $s; DELETE FROM session_tags WHERE project_id = $p AND session_id = $s; DELETE FROM session_metadata WHERE project_id = $p AND session_id = $s;",
            transaction))
        {
            delete.With("$p", projectId).With("$s", sessionId).ExecuteNonQuery();
        }

        // The earliest call with a user: BINARY collation orders span ids by code point, as EarliestSpan does.
        string? user = null, userSpan = null;
        long? userStart = null;
        using (var earliest = connection.Command(
            "SELECT user_id, start_ms, span_id FROM spans WHERE project_id = $p AND session_id = $s AND kind = 1 AND user_id IS NOT NULL ORDER BY start_ms, span_id LIMIT 1",
            transaction))
        {
            earliest.With("$p", projectId).With("$s", sessionId);
            using var reader = earliest.ExecuteReader();
            if (reader.Read())
                (user, userStart, userSpan) = (reader.GetString(0), reader.GetInt64(1), reader.GetString(2));
        }

        var figures = SessionScan.Read(connection, projectId, sessionId);
        if (figures is null)
            return; // no call left: the session is gone

        using (var insert = connection.Command("""
            INSERT INTO sessions (project_id, session_id, user_id, user_start_ms, user_span_id, started_ms, ended_ms, duration_ms, turns,
                                  cost_pico, unpriced_calls, input_tokens, output_tokens, total_tokens, error_count, latency_sum_ms)
            VALUES ($p, $s, $user, $userStart, $userSpan, $started, $ended, $ended - $started, $turns,
                    $cost, $unpriced, $input, $output, $input + $output, $errors, $latency)
            """, transaction))
        {
            insert.With("$p", projectId).With("$s", sessionId).With("$user", user).With("$userStart", userStart).With("$userSpan", userSpan)
                .With("$started", figures.StartedMs).With("$ended", figures.EndedMs).With("$turns", figures.Turns).With("$cost", figures.CostPico)
                .With("$unpriced", figures.UnpricedCalls).With("$input", figures.InputTokens).With("$output", figures.OutputTokens)
                .With("$errors", figures.Errors).With("$latency", figures.LatencySumMs)
                .ExecuteNonQuery();
        }
        SessionActivityRows.Recompute(connection, transaction, projectId, sessionId, SessionActivityRows.IdleGapMs(connection, transaction, projectId));

        using var addTag = connection.Prepared(transaction, "INSERT OR IGNORE INTO session_tags (project_id, session_id, tag) VALUES ($p, $s, $tag)", "$p", "$s", "$tag");
        addTag.Set("$p", projectId);
        addTag.Set("$s", sessionId);
        foreach (var tag in figures.Tags)
        {
            addTag.Set("$tag", tag);
            addTag.ExecuteNonQuery();
        }
        using var addMetadata = connection.Prepared(transaction,
            "INSERT OR IGNORE INTO session_metadata (project_id, session_id, key, value) VALUES ($p, $s, $key, $value)", "$p", "$s", "$key", "$value");
        addMetadata.Set("$p", projectId);
        addMetadata.Set("$s", sessionId);
        foreach (var (key, value) in figures.Metadata)
        {
            addMetadata.Set("$key", key);
            addMetadata.Set("$value", value);
            addMetadata.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Rebuilds each trace with the same three prepared statements. Why: a retention batch of 1,000 single-span traces
    /// prepared 3,000 statements, one set per trace, which cost as much as the rest of the batch.
    /// </summary>
    public static void RebuildTraces(SqliteConnection connection, SqliteTransaction transaction, IEnumerable<(long ProjectId, string TraceId)> traces)
    {
        using var delete = connection.Prepared(transaction, "DELETE FROM traces WHERE project_id = $p AND trace_id = $t", "$p", "$t");
        using var select = connection.Prepared(transaction,
            "SELECT span_id, parent_id, name, kind, start_ms, end_ms, input_tokens + output_tokens, cost_pico, status, user_id, session_id FROM spans WHERE project_id = $p AND trace_id = $t",
            "$p", "$t");
        using var insert = connection.Prepared(transaction, """
            INSERT INTO traces (project_id, trace_id, root_name, root_start_ms, root_span_id, started_ms, ended_ms, span_count, llm_calls, cost_pico,
                                unpriced_calls, total_tokens, error_count, user_id, user_start_ms, user_span_id, session_id, session_start_ms, session_span_id)
            VALUES ($p, $t, $rootName, $rootStart, $rootSpan, $started, $ended, $spans, $llm, $cost, $unpriced, $tokens, $errors,
                    $user, $userStart, $userSpan, $session, $sessionStart, $sessionSpan)
            """, "$p", "$t", "$rootName", "$rootStart", "$rootSpan", "$started", "$ended", "$spans", "$llm", "$cost", "$unpriced", "$tokens", "$errors",
            "$user", "$userStart", "$userSpan", "$session", "$sessionStart", "$sessionSpan");
        foreach (var (projectId, traceId) in traces)
            RebuildTrace(delete, select, insert, projectId, traceId);
    }

    private static void RebuildTrace(SqliteCommand delete, SqliteCommand select, SqliteCommand insert, long projectId, string traceId)
    {
        delete.Set("$p", projectId);
        delete.Set("$t", traceId);
        delete.ExecuteNonQuery();

        var spans = new List<(string Id, string? Parent, string Name, bool Llm, long Start, long End, long Tokens, long? Cost, bool Error, string? User, string? Session)>();
        select.Set("$p", projectId);
        select.Set("$t", traceId);
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
                spans.Add((reader.GetString(0), reader.GetNullableString(1), reader.GetString(2), reader.GetInt32(3) == 1, reader.GetInt64(4), reader.GetInt64(5),
                    reader.GetInt64(6), reader.GetNullableInt64(7), reader.GetInt32(8) == 1, reader.GetNullableString(9), reader.GetNullableString(10)));
        }
        if (spans.Count == 0)
            return;

        var ordered = spans.OrderBy(s => s.Start).ThenBy(s => s.Id, CodePointOrder.Instance).ToList();
        var root = ordered.FirstOrDefault(s => s.Parent is null);
        var userSource = ordered.FirstOrDefault(s => s.User is not null);
        var sessionSource = ordered.FirstOrDefault(s => s.Session is not null);
        var llm = spans.Where(s => s.Llm).ToList();
        foreach (var (name, value) in new (string, object?)[]
        {
            ("$p", projectId), ("$t", traceId),
            ("$rootName", root.Id is null ? null : root.Name), ("$rootStart", root.Id is null ? null : root.Start), ("$rootSpan", root.Id),
            ("$started", spans.Min(s => s.Start)), ("$ended", spans.Max(s => s.End)), ("$spans", spans.Count), ("$llm", llm.Count),
            ("$cost", SaturatedSum(llm.Select(s => s.Cost ?? 0))), ("$unpriced", llm.Count(s => s.Cost is null)), ("$tokens", llm.Sum(s => s.Tokens)),
            ("$errors", spans.Count(s => s.Error)),
            ("$user", userSource.User), ("$userStart", userSource.User is null ? null : userSource.Start), ("$userSpan", userSource.User is null ? null : userSource.Id),
            ("$session", sessionSource.Session), ("$sessionStart", sessionSource.Session is null ? null : sessionSource.Start),
            ("$sessionSpan", sessionSource.Session is null ? null : sessionSource.Id),
        })
            insert.Set(name, value);
        insert.ExecuteNonQuery();
    }

    /// <summary>
    /// A trace row's cost: summed as Int128 (LINQ's checked long Sum threw past $9.2M and failed the whole write), then
    /// saturated at the per-row bound of docs/api.md, as the session rebuild does in SQL.
    /// </summary>
    internal static long SaturatedSum(IEnumerable<long> picos)
    {
        Int128 sum = 0;
        foreach (var pico in picos)
            sum += pico;
        return (long)Int128.Clamp(sum, long.MinValue, long.MaxValue);
    }
}
