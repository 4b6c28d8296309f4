using System.Text.Json;
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
    public static void RebuildSession(SqliteConnection connection, SqliteTransaction transaction, long projectId, string sessionId)
    {
        using (var delete = connection.Command(
            "DELETE FROM sessions WHERE project_id = $p AND session_id = $s; DELETE FROM session_tags WHERE project_id = $p AND session_id = $s; DELETE FROM session_metadata WHERE project_id = $p AND session_id = $s;",
            transaction))
        {
            delete.With("$p", projectId).With("$s", sessionId).ExecuteNonQuery();
        }

        var spans = new List<(string Id, string? User, long Start, long End, long In, long Out, long? Cost, bool Error, string? Tags, string? Metadata)>();
        using (var select = connection.Command(
            "SELECT span_id, user_id, start_ms, end_ms, input_tokens, output_tokens, cost_pico, status, tags, metadata FROM spans WHERE project_id = $p AND session_id = $s AND kind = 1",
            transaction))
        {
            select.With("$p", projectId).With("$s", sessionId);
            using var reader = select.ExecuteReader();
            while (reader.Read())
                spans.Add((reader.GetString(0), reader.GetNullableString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5),
                    reader.GetNullableInt64(6), reader.GetInt32(7) == 1, reader.GetNullableString(8), reader.GetNullableString(9)));
        }
        if (spans.Count == 0)
            return;

        var userSource = spans.Where(s => s.User is not null).OrderBy(s => s.Start).ThenBy(s => s.Id, CodePointOrder.Instance).FirstOrDefault();
        var started = spans.Min(s => s.Start);
        var ended = spans.Max(s => s.End);
        using (var insert = connection.Command("""
            INSERT INTO sessions (project_id, session_id, user_id, user_start_ms, user_span_id, started_ms, ended_ms, duration_ms, turns,
                                  cost_pico, unpriced_calls, input_tokens, output_tokens, total_tokens, error_count, latency_sum_ms)
            VALUES ($p, $s, $user, $userStart, $userSpan, $started, $ended, $duration, $turns, $cost, $unpriced, $in, $out, $total, $errors, $latency)
            """, transaction))
        {
            insert.With("$p", projectId).With("$s", sessionId)
                .With("$user", userSource.User).With("$userStart", userSource.User is null ? null : userSource.Start).With("$userSpan", userSource.User is null ? null : userSource.Id)
                .With("$started", started).With("$ended", ended).With("$duration", ended - started).With("$turns", spans.Count)
                .With("$cost", spans.Sum(s => s.Cost ?? 0)).With("$unpriced", spans.Count(s => s.Cost is null))
                .With("$in", spans.Sum(s => s.In)).With("$out", spans.Sum(s => s.Out)).With("$total", spans.Sum(s => s.In + s.Out))
                .With("$errors", spans.Count(s => s.Error)).With("$latency", spans.Sum(s => s.End - s.Start))
                .ExecuteNonQuery();
        }

        using var addTag = connection.Command("INSERT OR IGNORE INTO session_tags (project_id, session_id, tag) VALUES ($p, $s, $tag)", transaction);
        addTag.With("$p", projectId).With("$s", sessionId).With("$tag", null);
        foreach (var tag in spans.Where(s => s.Tags is not null).SelectMany(s => JsonSerializer.Deserialize<string[]>(s.Tags!)!).Distinct(StringComparer.Ordinal))
        {
            addTag.Parameters["$tag"].Value = tag;
            addTag.ExecuteNonQuery();
        }
        using var addMetadata = connection.Command("INSERT OR IGNORE INTO session_metadata (project_id, session_id, key, value) VALUES ($p, $s, $key, $value)", transaction);
        addMetadata.With("$p", projectId).With("$s", sessionId).With("$key", null).With("$value", null);
        // Pairs as value tuples: KeyValuePair's default hash is its key's alone, which put every value of a key in one hash
        // bucket (quadratic in a session's calls when a key holds a per-call value).
        var pairs = spans.Where(s => s.Metadata is not null).SelectMany(s => MetadataValues.Flatten(s.Metadata).Select(p => (p.Key, p.Value)));
        foreach (var (key, value) in MetadataValues.SessionGrouping(pairs))
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
            .With("$cost", llm.Sum(s => s.Cost ?? 0)).With("$unpriced", llm.Count(s => s.Cost is null)).With("$tokens", llm.Sum(s => s.Tokens))
            .With("$errors", spans.Count(s => s.Error))
            .With("$user", userSource.User).With("$userStart", userSource.User is null ? null : userSource.Start).With("$userSpan", userSource.User is null ? null : userSource.Id)
            .With("$session", sessionSource.Session).With("$sessionStart", sessionSource.Session is null ? null : sessionSource.Start).With("$sessionSpan", sessionSource.Session is null ? null : sessionSource.Id)
            .ExecuteNonQuery();
    }
}
