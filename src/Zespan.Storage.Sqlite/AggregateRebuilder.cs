using Microsoft.Data.Sqlite;
using Zespan.Core.Spans;
using Zespan.Core.Traces;

namespace Zespan.Storage.Sqlite;

/// <summary>A session's row computed from its remaining calls (Figures null: none is left, the session goes).</summary>
internal sealed record RebuiltSession(SessionScan.Figures? Figures, RebuiltActivity? Activity);

/// <summary>
/// Rebuilds a session's or a trace's aggregate row from the spans that remain, by folding them with SessionFigures /
/// TraceFigures (the definitions the writer's upserts merge by). Used when a span is replaced or deleted: sums could be
/// subtracted, but extremes (first start, earliest user) cannot, so the row is recomputed instead.
/// A session or trace with no spans left disappears.
/// </summary>
internal static class AggregateRebuilder
{
    /// <summary>
    /// The row and its rollups (SessionRollupDeltas: the row before and after), computed and written in the caller's
    /// transaction. The figures (the SessionFigures fold, user included), tags and metadata in one pass over its calls
    /// (SessionScan): no object per call, so a rebuild in a 20,000-turn session stays a few tens of ms — which is still
    /// too long to hold the single writer, so long sessions are computed outside it (DeferredSessionRebuilds).
    /// </summary>
    /// <param name="knownName">
    /// The session's derived name when the caller knows it without probing the calls' payloads (retention:
    /// SessionActivityRows.NameAfterRemovals; a write: WrittenSessionNames), read before the rebuild; null to probe.
    /// </param>
    public static void RebuildSession(SqliteConnection connection, SqliteTransaction transaction, SessionRollupDeltas rollups, long projectId, string sessionId,
        DerivedNameRow? knownName) =>
        ApplySession(connection, transaction, rollups, projectId, sessionId, ComputeSession(connection, transaction, projectId, sessionId, knownName));

    /// <summary>A session's row as its remaining calls define it: reads only, in the caller's transaction or snapshot.</summary>
    public static RebuiltSession ComputeSession(SqliteConnection connection, SqliteTransaction? transaction, long projectId, string sessionId, DerivedNameRow? knownName)
    {
        if (SessionScan.Read(connection, projectId, sessionId) is not { } figures)
            return new RebuiltSession(null, null); // no call left: the session is gone
        var idleGapMs = SessionActivityRows.IdleGapMs(connection, transaction, projectId);
        return new RebuiltSession(figures, SessionActivityRows.Compute(connection, idleGapMs, figures, knownName));
    }

    /// <summary>Replaces the session's row, tags and metadata with <paramref name="rebuilt"/> and moves its rollups by the difference.</summary>
    public static void ApplySession(SqliteConnection connection, SqliteTransaction transaction, SessionRollupDeltas rollups, long projectId, string sessionId,
        RebuiltSession rebuilt)
    {
        var before = rollups.Read(projectId, sessionId);
        Write(connection, transaction, projectId, sessionId, rebuilt);
        rollups.Move(projectId, sessionId, before, rollups.Read(projectId, sessionId));
    }

    private static void Write(SqliteConnection connection, SqliteTransaction transaction, long projectId, string sessionId, RebuiltSession rebuilt)
    {
        using (var delete = connection.Command(
            "DELETE FROM sessions WHERE project_id = $p AND session_id = $s; DELETE FROM session_tags WHERE project_id = $p AND session_id = $s; DELETE FROM session_metadata WHERE project_id = $p AND session_id = $s;",
            transaction))
        {
            delete.With("$p", projectId).With("$s", sessionId).ExecuteNonQuery();
        }

        if (rebuilt.Figures is not { } figures)
            return;
        var f = figures.Fold;

        using (var insert = connection.Command("""
            INSERT INTO sessions (project_id, session_id, user_id, user_start_ms, user_span_id, started_ms, ended_ms, duration_ms, turns,
                                  cost_pico, cost_high, unpriced_calls, input_tokens, output_tokens, total_tokens, error_count, latency_sum_ms, active_ms)
            VALUES ($p, $s, $user, $userStart, $userSpan, $started, $ended, $ended - $started, $turns,
                    $cost, $costHigh, $unpriced, $input, $output, $input + $output, $errors, $latency, $ended - $started)
            """, transaction))
        {
            insert.With("$p", projectId).With("$s", sessionId).With("$user", f.User.Value)
                .With("$userStart", f.User.HasValue ? f.User.StartMs : null).With("$userSpan", f.User.SpanId)
                .With("$started", f.StartedMs).With("$ended", f.EndedMs).With("$turns", f.Turns)
                .With("$cost", ExactSum.ToRow(f.CostPico).Pico).With("$costHigh", ExactSum.ToRow(f.CostPico).High)
                .With("$unpriced", f.UnpricedCalls).With("$input", f.InputTokens).With("$output", f.OutputTokens)
                .With("$errors", f.Errors).With("$latency", f.LatencySumMs)
                .ExecuteNonQuery();
        }
        if (rebuilt.Activity is { } activity)
            SessionActivityRows.Write(connection, transaction, projectId, sessionId, activity);

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

    /// <summary>A trace's spans, read along its links (trace_spans, migration 470; IndexUseTests).</summary>
    internal const string TraceSpansSql = """
        SELECT s.span_id, s.parent_id, s.name, s.kind, s.start_ms, s.end_ms, s.input_tokens + s.output_tokens, s.cost_pico, s.status, s.user_id, s.session_id,
               s.model
        FROM trace_spans l JOIN spans s ON s.id = l.span_row WHERE l.trace_row = $row
        """;

    /// <summary>
    /// Rebuilds each trace with the same four prepared statements. Why: a retention batch of 1,000 single-span traces
    /// prepared 3,000 statements, one set per trace, which cost as much as the rest of the batch. A trace's row is
    /// updated in place, never deleted and inserted again: its number is what its spans' links point to. Its models
    /// (TraceModels) are written again from the same spans.
    /// </summary>
    public static void RebuildTraces(SqliteConnection connection, SqliteTransaction transaction, SessionRollupDeltas counts, IEnumerable<(long ProjectId, string TraceId)> traces)
    {
        using var find = connection.Prepared(transaction, "SELECT id, span_count, error_count, started_ms FROM traces WHERE project_id = $p AND trace_id = $t", "$p", "$t");
        using var select = connection.Prepared(transaction, TraceSpansSql, "$row");
        using var delete = connection.Prepared(transaction, "DELETE FROM traces WHERE id = $row", "$row");
        using var update = connection.Prepared(transaction, """
            UPDATE traces SET root_name = $rootName, root_start_ms = $rootStart, root_span_id = $rootSpan, started_ms = $started, ended_ms = $ended,
                              span_count = $spans, llm_calls = $llm, cost_pico = $cost, cost_high = $costHigh, unpriced_calls = $unpriced,
                              total_tokens = $tokens, error_count = $errors, user_id = $user, user_start_ms = $userStart, user_span_id = $userSpan,
                              session_id = $session, session_start_ms = $sessionStart, session_span_id = $sessionSpan
            WHERE id = $row
            """, "$row", "$rootName", "$rootStart", "$rootSpan", "$started", "$ended", "$spans", "$llm", "$cost", "$costHigh", "$unpriced", "$tokens", "$errors",
            "$user", "$userStart", "$userSpan", "$session", "$sessionStart", "$sessionSpan");
        using var models = new TraceModels(connection, counts);
        foreach (var (projectId, traceId) in traces)
        {
            var (before, after) = RebuildTrace(find, select, delete, update, models, projectId, traceId);
            counts.MoveTrace(projectId, before, after);
        }
    }

    /// <summary>
    /// Rebuilds one trace row from its linked spans; returns what it counted for before and after (null: no row, or the
    /// empty row TraceSpanLinks made for a trace new in this write).
    /// </summary>
    private static (TraceCountState? Before, TraceCountState? After) RebuildTrace(SqliteCommand find, SqliteCommand select, SqliteCommand delete, SqliteCommand update,
        TraceModels models, long projectId, string traceId)
    {
        find.Set("$p", projectId);
        find.Set("$t", traceId);
        long row;
        TraceCountState? before;
        using (var stored = find.ExecuteReader())
        {
            if (!stored.Read())
                return (null, null); // no row, so no links: the trace has no spans
            row = stored.GetInt64(0);
            before = TraceCountState.OfRow(stored.GetInt64(1), stored.GetInt64(3), stored.GetInt64(2));
        }

        var f = new TraceFigures();
        var spanModels = new HashSet<string>(StringComparer.Ordinal);
        select.Set("$row", row);
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                f.Add(reader.GetString(0), reader.GetNullableString(1), reader.GetString(2), (SpanKind)reader.GetInt32(3), reader.GetInt64(4), reader.GetInt64(5),
                    reader.GetInt64(6), reader.GetNullableInt64(7), (SpanStatus)reader.GetInt32(8), reader.GetNullableString(9), reader.GetNullableString(10));
                if (reader.GetNullableString(11) is { } model)
                    spanModels.Add(model);
            }
        }
        if (f.IsEmpty)
        {
            delete.Set("$row", row);
            delete.ExecuteNonQuery();
            models.Gone(row);
            return (before, null);
        }
        var after = new TraceCountState(f.StartedMs, f.Errors);
        models.Rebuilt(projectId, row, after, spanModels);

        foreach (var (name, value) in new (string, object?)[]
        {
            ("$row", row),
            ("$rootName", f.Root.Value), ("$rootStart", f.Root.HasValue ? f.Root.StartMs : null), ("$rootSpan", f.Root.SpanId),
            ("$started", f.StartedMs), ("$ended", f.EndedMs), ("$spans", f.SpanCount), ("$llm", f.LlmCalls),
            ("$cost", ExactSum.ToRow(f.CostPico).Pico), ("$costHigh", ExactSum.ToRow(f.CostPico).High), ("$unpriced", f.UnpricedCalls), ("$tokens", f.TotalTokens), ("$errors", f.Errors),
            ("$user", f.User.Value), ("$userStart", f.User.HasValue ? f.User.StartMs : null), ("$userSpan", f.User.SpanId),
            ("$session", f.Session.Value), ("$sessionStart", f.Session.HasValue ? f.Session.StartMs : null), ("$sessionSpan", f.Session.SpanId),
        })
            update.Set(name, value);
        update.ExecuteNonQuery();
        return (before, after);
    }
}
