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
    /// Figures, user and tags are computed by SQLite over the session's index range and metadata by a byte-level scan
    /// (SessionMetadataScan): no object per call, so a rebuild in a 20,000-turn session stays a few tens of ms.
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

        // Exact cost from the two parts of ExactSum (hi carries lo's overflow, lo keeps 32 bits); past 2^63 - 1 picodollars,
        // the per-row bound of docs/api.md, it saturates rather than failing the write.
        using (var insert = connection.Command("""
            INSERT INTO sessions (project_id, session_id, user_id, user_start_ms, user_span_id, started_ms, ended_ms, duration_ms, turns,
                                  cost_pico, unpriced_calls, input_tokens, output_tokens, total_tokens, error_count, latency_sum_ms)
            SELECT $p, $s, $user, $userStart, $userSpan, started, ended, ended - started, turns,
                   CASE WHEN hi + (lo >> 32) >= 2147483648 THEN 9223372036854775807 ELSE (hi + (lo >> 32)) * 4294967296 + (lo & 4294967295) END,
                   unpriced, input, output, input + output, errors, latency
            FROM (SELECT MIN(start_ms) AS started, MAX(end_ms) AS ended, COUNT(*) AS turns,
                         SUM(coalesce(cost_pico, 0) >> 32) AS hi, SUM(coalesce(cost_pico, 0) & 4294967295) AS lo, SUM(cost_pico IS NULL) AS unpriced,
                         SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(status = 1) AS errors, SUM(end_ms - start_ms) AS latency
                  FROM spans WHERE project_id = $p AND session_id = $s AND kind = 1)
            WHERE turns > 0
            """, transaction))
        {
            insert.With("$p", projectId).With("$s", sessionId).With("$user", user).With("$userStart", userStart).With("$userSpan", userSpan);
            if (insert.ExecuteNonQuery() == 0)
                return; // no call left: the session is gone
        }
        SessionActivityRows.Recompute(connection, transaction, projectId, sessionId, SessionActivityRows.IdleGapMs(connection, transaction, projectId));

        using (var tags = connection.Command("""
            INSERT OR IGNORE INTO session_tags (project_id, session_id, tag)
            SELECT DISTINCT $p, $s, t.value FROM spans sp, json_each(sp.tags) t
            WHERE sp.project_id = $p AND sp.session_id = $s AND sp.kind = 1 AND sp.tags IS NOT NULL
            """, transaction))
        {
            tags.With("$p", projectId).With("$s", sessionId).ExecuteNonQuery();
        }
        using var addMetadata = connection.Command("INSERT OR IGNORE INTO session_metadata (project_id, session_id, key, value) VALUES ($p, $s, $key, $value)", transaction);
        addMetadata.With("$p", projectId).With("$s", sessionId).With("$key", null).With("$value", null);
        foreach (var (key, value) in SessionMetadataScan.Read(connection, projectId, sessionId))
        {
            addMetadata.Parameters["$key"].Value = key;
            addMetadata.Parameters["$value"].Value = value;
            addMetadata.ExecuteNonQuery();
        }
    }

    public static void RebuildTrace(SqliteConnection connection, SqliteTransaction transaction, long projectId, string traceId)
    {
        using (var delete = connection.Command("DELETE FROM traces WHERE project_id = $p AND trace_id = $t", transaction))
            delete.With("$p", projectId).With("$t", traceId).ExecuteNonQuery();

        var spans = new List<(string Id, string? Parent, string Name, bool Llm, long Start, long End, long Tokens, long? Cost, bool Error, string? User, string? Session)>();
        using (var select = connection.Command(
            "SELECT span_id, parent_id, name, kind, start_ms, end_ms, input_tokens + output_tokens, cost_pico, status, user_id, session_id FROM spans WHERE project_id = $p AND trace_id = $t",
            transaction))
        {
            select.With("$p", projectId).With("$t", traceId);
            using var reader = select.ExecuteReader();
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
        using var insert = connection.Command("""
            INSERT INTO traces (project_id, trace_id, root_name, root_start_ms, root_span_id, started_ms, ended_ms, span_count, llm_calls, cost_pico,
                                unpriced_calls, total_tokens, error_count, user_id, user_start_ms, user_span_id, session_id, session_start_ms, session_span_id)
            VALUES ($p, $t, $rootName, $rootStart, $rootSpan, $started, $ended, $spans, $llm, $cost, $unpriced, $tokens, $errors,
                    $user, $userStart, $userSpan, $session, $sessionStart, $sessionSpan)
            """, transaction);
        insert.With("$p", projectId).With("$t", traceId)
            .With("$rootName", root.Id is null ? null : root.Name).With("$rootStart", root.Id is null ? null : root.Start).With("$rootSpan", root.Id)
            .With("$started", spans.Min(s => s.Start)).With("$ended", spans.Max(s => s.End)).With("$spans", spans.Count).With("$llm", llm.Count)
            .With("$cost", SaturatedSum(llm.Select(s => s.Cost ?? 0))).With("$unpriced", llm.Count(s => s.Cost is null)).With("$tokens", llm.Sum(s => s.Tokens))
            .With("$errors", spans.Count(s => s.Error))
            .With("$user", userSource.User).With("$userStart", userSource.User is null ? null : userSource.Start).With("$userSpan", userSource.User is null ? null : userSource.Id)
            .With("$session", sessionSource.Session).With("$sessionStart", sessionSource.Session is null ? null : sessionSource.Start).With("$sessionSpan", sessionSource.Session is null ? null : sessionSource.Id)
            .ExecuteNonQuery();
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
