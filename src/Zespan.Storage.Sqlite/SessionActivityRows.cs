using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;

namespace Zespan.Storage.Sqlite;

/// <summary>Active time and name of a session row after this batch's calls are folded in (written as absolute values).</summary>
internal sealed record FoldedSession(long IdleMs, int IdleGaps, long LastStartMs, string? Name, bool NameExplicit, long NameStartMs, string? NameSpanId);

/// <summary>The stored part of a session row that folding new calls in depends on.</summary>
internal sealed record StoredSessionState(SessionActivity.State Activity, bool HasName, bool NameExplicit, long NameStartMs, string? NameSpanId);

/// <summary>
/// Keeps the sessions' idle_ms, idle_gaps, last_start_ms and name (migration 080) exact, by the rules of
/// <see cref="SessionActivity"/> and <see cref="SessionNames"/>. New calls that start at or after every stored call are
/// folded into the stored state (the common case: a conversation's next turn); any other change — a late earlier call,
/// a replaced or deleted span, a threshold change — recomputes the row from the session's remaining calls.
/// </summary>
internal static class SessionActivityRows
{
    /// <summary>The folded row, or null when the batch has a call earlier than a stored one (the caller rebuilds the session).</summary>
    public static FoldedSession? FoldIn(SpanWriteStatements statements, long projectId, string sessionId, SessionDelta d)
    {
        var threshold = statements.IdleGapMs(projectId);
        var stored = statements.ReadSessionState(projectId, sessionId);
        var calls = d.Calls.OrderBy(c => c.StartMs).ThenBy(c => c.SpanId, CodePointOrder.Instance).ToList();
        SessionActivity.State state;
        if (stored is not null)
        {
            if (!SessionActivity.CanExtend(stored.Activity, calls[0].StartMs))
                return null;
            state = stored.Activity;
            foreach (var call in calls)
                state = SessionActivity.Extend(state, call.StartMs, call.EndMs, threshold);
        }
        else
        {
            state = SessionActivity.Of(calls.Select(c => (c.StartMs, c.EndMs)), threshold)!.Value;
        }

        if (d.ExplicitName is not null)
            return new FoldedSession(state.IdleMs, state.IdleGaps, state.LastStartMs, d.ExplicitName, true, d.ExplicitNameStartMs, d.ExplicitNameSpanId);
        if (stored is { NameExplicit: false } || stored is null)
        {
            foreach (var call in calls)
            {
                // Calls are in (start, id) order: once one is later than the stored name's call, all the rest are too.
                if (stored is { HasName: true } && !SessionNames.Beats(false, call.StartMs, call.SpanId, false, stored.NameStartMs, stored.NameSpanId!))
                    break;
                if (SessionNames.FirstUserMessage(call.InputJson) is { } text)
                    return new FoldedSession(state.IdleMs, state.IdleGaps, state.LastStartMs, text, false, call.StartMs, call.SpanId);
            }
        }
        return new FoldedSession(state.IdleMs, state.IdleGaps, state.LastStartMs, null, false, 0, null);
    }

    /// <summary>The threshold the project's rows are computed with (5 minutes until one is set).</summary>
    public static long IdleGapMs(SqliteConnection connection, SqliteTransaction? transaction, long projectId)
    {
        using var command = connection.Command("SELECT idle_gap_ms FROM session_idle_thresholds WHERE project_id = $p", transaction);
        command.With("$p", projectId);
        return command.ExecuteScalar() is long ms ? ms : SessionActivity.DefaultIdleGapMs;
    }

    /// <summary>Recomputes active time (and, unless <paramref name="activityOnly"/>, the name) of a session row from its calls.</summary>
    public static void Recompute(SqliteConnection connection, SqliteTransaction transaction, long projectId, string sessionId, long idleGapMs, bool activityOnly = false)
    {
        var calls = new List<(long, long)>();
        using (var select = connection.Command(
            "SELECT start_ms, end_ms FROM spans WHERE project_id = $p AND session_id = $s AND kind = 1 ORDER BY start_ms, span_id", transaction))
        {
            select.With("$p", projectId).With("$s", sessionId);
            using var reader = select.ExecuteReader();
            while (reader.Read())
                calls.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }
        if (SessionActivity.Of(calls, idleGapMs) is not { } state)
            return;
        using (var update = connection.Command(
            "UPDATE sessions SET idle_ms = $idle, idle_gaps = $gaps, last_start_ms = $last WHERE project_id = $p AND session_id = $s", transaction))
        {
            update.With("$p", projectId).With("$s", sessionId).With("$idle", state.IdleMs).With("$gaps", state.IdleGaps).With("$last", state.LastStartMs).ExecuteNonQuery();
        }
        if (activityOnly)
            return;

        string? name = null, span = null;
        long? start = null;
        var isExplicit = false;
        if (ExplicitName(connection, transaction, projectId, sessionId) is { } named)
            (name, isExplicit, start, span) = (named.Name, true, named.Start, named.Span);
        else if (DerivedName(connection, transaction, projectId, sessionId) is { } derived)
            (name, start, span) = (derived.Name, derived.Start, derived.Span);
        using var setName = connection.Command(
            "UPDATE sessions SET name = $name, name_explicit = $explicit, name_start_ms = $start, name_span_id = $span WHERE project_id = $p AND session_id = $s", transaction);
        setName.With("$p", projectId).With("$s", sessionId).With("$name", name).With("$explicit", isExplicit ? 1 : 0).With("$start", start).With("$span", span).ExecuteNonQuery();
    }

    private static (string Name, long Start, string Span)? ExplicitName(SqliteConnection connection, SqliteTransaction transaction, long projectId, string sessionId)
    {
        using var select = connection.Command(
            "SELECT session_name, start_ms, span_id FROM spans WHERE project_id = $p AND session_id = $s AND kind = 1 AND session_name IS NOT NULL ORDER BY start_ms, span_id LIMIT 1",
            transaction);
        select.With("$p", projectId).With("$s", sessionId);
        using var reader = select.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.GetInt64(1), reader.GetString(2)) : null;
    }

    private static (string Name, long Start, string Span)? DerivedName(SqliteConnection connection, SqliteTransaction transaction, long projectId, string sessionId)
    {
        using var select = connection.Command("""
            SELECT pl.input, sp.start_ms, sp.span_id FROM spans sp LEFT JOIN span_payloads pl ON pl.span_row_id = sp.id
            WHERE sp.project_id = $p AND sp.session_id = $s AND sp.kind = 1 ORDER BY sp.start_ms, sp.span_id
            """, transaction);
        select.With("$p", projectId).With("$s", sessionId);
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            if (SessionNames.FirstUserMessage(reader.GetNullableString(0)) is { } text)
                return (text, reader.GetInt64(1), reader.GetString(2));
        }
        return null;
    }
}
