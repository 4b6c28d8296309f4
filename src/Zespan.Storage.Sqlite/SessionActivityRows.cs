using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;

namespace Zespan.Storage.Sqlite;

/// <summary>Active time and name of a session row after this batch's calls are folded in (written as absolute values).</summary>
internal sealed record FoldedSession(long IdleMs, int IdleGaps, long LastStartMs, string? Name, bool NameExplicit, long NameStartMs, string? NameSpanId);

/// <summary>A session row's derived name and its call (Name null: no call has a user message).</summary>
internal readonly record struct DerivedNameRow(string? Name, long StartMs, string? SpanId);

/// <summary>A rebuilt session row's active time and name (SessionActivityRows.Compute), before it is written.</summary>
internal sealed record RebuiltActivity(SessionActivity.State State, string? Name, bool NameExplicit, long? NameStartMs, string? NameSpanId);

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

        if (d.Figures.ExplicitName is { HasValue: true } named)
            return new FoldedSession(state.IdleMs, state.IdleGaps, state.LastStartMs, named.Value, true, named.StartMs, named.SpanId);
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

    /// <summary>Recomputes active time of a session row from its calls (a threshold change: the name does not depend on it).</summary>
    public static void RecomputeActivity(SqliteConnection connection, SqliteTransaction transaction, long projectId, string sessionId, long idleGapMs)
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
        using var update = connection.Command(
            "UPDATE sessions SET idle_ms = $idle, active_ms = duration_ms - $idle, idle_gaps = $gaps, last_start_ms = $last WHERE project_id = $p AND session_id = $s", transaction);
        update.With("$p", projectId).With("$s", sessionId).With("$idle", state.IdleMs).With("$gaps", state.IdleGaps).With("$last", state.LastStartMs).ExecuteNonQuery();
    }

    /// <summary>
    /// Active time and name of a rebuilt session row, from the calls its one pass read (SessionScan): no second and third
    /// pass over a long session's calls; a derived name reads only the payloads of the calls before the first user message.
    /// Reads only, so a long session's can be computed outside the write gate (DeferredSessionRebuilds).
    /// </summary>
    public static RebuiltActivity? Compute(SqliteConnection connection, long idleGapMs, SessionScan.Figures figures, DerivedNameRow? knownName = null)
    {
        if (SessionActivity.Of(figures.Calls.Select(c => (c.StartMs, c.EndMs)), idleGapMs) is not { } state)
            return null;
        if (figures.Fold.ExplicitName is { HasValue: true } named)
            return new RebuiltActivity(state, named.Value, true, named.StartMs, named.SpanId);
        if (knownName is { } known)
            return new RebuiltActivity(state, known.Name, false, known.Name is null ? null : known.StartMs, known.SpanId);
        if (DerivedName(connection, figures.Calls) is { } derived)
            return new RebuiltActivity(state, derived.Name, false, derived.Start, derived.Span);
        return new RebuiltActivity(state, null, false, null, null);
    }

    /// <summary>Writes what <see cref="Compute"/> found into the session's row.</summary>
    public static void Write(SqliteConnection connection, SqliteTransaction transaction, long projectId, string sessionId, RebuiltActivity row)
    {
        using var update = connection.Command("""
            UPDATE sessions SET idle_ms = $idle, active_ms = duration_ms - $idle, idle_gaps = $gaps, last_start_ms = $last,
                                name = $name, name_explicit = $explicit, name_start_ms = $start, name_span_id = $span
            WHERE project_id = $p AND session_id = $s
            """, transaction);
        update.With("$p", projectId).With("$s", sessionId).With("$idle", row.State.IdleMs).With("$gaps", row.State.IdleGaps).With("$last", row.State.LastStartMs)
            .With("$name", row.Name).With("$explicit", row.NameExplicit ? 1 : 0).With("$start", row.NameStartMs).With("$span", row.NameSpanId).ExecuteNonQuery();
    }

    /// <summary>
    /// The stored row's derived name (or its lack of one) when it still holds after calls were only deleted: removing calls
    /// gives no remaining call a user message, so the earliest call with one is unchanged while it remains, and a session
    /// without one stays without. Null when the name was explicit (the fold picks the next explicit one, or none) or its
    /// call is gone: then the remaining calls are probed. Read after the deletions, before the row is rebuilt.
    /// </summary>
    public static DerivedNameRow? NameAfterRemovals(SqliteConnection connection, SqliteTransaction transaction, long projectId, string sessionId) =>
        ReadDerivedName(connection, transaction, projectId, sessionId, """
            AND (name IS NULL OR EXISTS (SELECT 1 FROM spans WHERE project_id = $p AND span_id = s.name_span_id AND session_id = $s AND kind = 1))
            """);

    /// <summary>The stored row's derived name (Name null: no call had a user message); null when there is no row or its name is explicit.</summary>
    public static DerivedNameRow? StoredDerivedName(SqliteConnection connection, SqliteTransaction transaction, long projectId, string sessionId) =>
        ReadDerivedName(connection, transaction, projectId, sessionId, "");

    private static DerivedNameRow? ReadDerivedName(SqliteConnection connection, SqliteTransaction transaction, long projectId, string sessionId, string condition)
    {
        // condition is one of this class's constant fragments, never input.
        using var command = connection.Command(
            $"SELECT name, name_start_ms, name_span_id FROM sessions s WHERE project_id = $p AND session_id = $s AND name_explicit = 0 {condition}", transaction);
        command.With("$p", projectId).With("$s", sessionId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new DerivedNameRow(reader.GetNullableString(0), reader.GetNullableInt64(1) ?? 0, reader.GetNullableString(2)) : null;
    }

    /// <summary>The first user message of the earliest call that has one, probing each call's payload by row id in call order.</summary>
    private static (string Name, long Start, string Span)? DerivedName(SqliteConnection connection, IReadOnlyList<SessionScan.Call> calls)
    {
        using var payload = new RawStatement(connection, "SELECT input FROM span_payloads WHERE span_row_id = $id");
        foreach (var call in calls)
        {
            payload.Reset();
            payload.Set("$id", call.RowId);
            var input = payload.Read() ? payload.GetNullableString(0) : null;
            if (SessionNames.FirstUserMessage(input) is not { } text)
                continue;
            using var spanId = new RawStatement(connection, "SELECT span_id FROM spans WHERE id = $id");
            spanId.Set("$id", call.RowId);
            spanId.Read();
            return (text, call.StartMs, spanId.GetString(0));
        }
        return null;
    }
}
