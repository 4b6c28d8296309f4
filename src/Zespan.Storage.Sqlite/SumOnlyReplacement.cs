using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Traces;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Replaces a stored span in place when the new version changes only what its session and trace sum: usage, cost,
/// model, status, error, output. Its session row and trace row then change by the difference of the two versions'
/// folds (<see cref="SessionFigures"/> and <see cref="TraceFigures"/> of each version alone), with nothing re-read.
/// Why: a changed re-send (an SDK retry whose answer differs, a span re-sent with its final usage) rebuilt its whole
/// session from every call — 80–120 ms of the single writer in a 20,000-turn session (issue 12). Everything the
/// figures take a minimum, maximum or earliest pick of (start, end, user, explicit name, root, the session and trace
/// themselves), and the session's groups (tags, metadata) and derived name (the first user message of the input),
/// must be equal in both versions; otherwise the caller rebuilds as before.
/// </summary>
internal sealed class SumOnlyReplacement(SqliteConnection connection) : IDisposable
{
    private RawStatement? _readShape;
    private RawStatement? _shiftSession;
    private RawStatement? _shiftTrace;

    /// <summary>
    /// Applies the replacement to the stored session and trace rows and returns true; false (nothing written) when the
    /// new version changes more than sums. Call before the span row itself is updated: the stored version is read here.
    /// </summary>
    public bool TryApply(long projectId, StoredSpanFacts stored, SpanRecord span, SessionRollupDeltas rollups)
    {
        if (!KeepsShape(stored, span))
            return false;
        var userId = span.UserId;
        var old = new SessionFigures();
        old.Add(span.Id, stored.StartMs, span.EndMs, stored.CostPico, stored.Usage.InputTokens, stored.Usage.OutputTokens, stored.Status, userId, span.SessionName);
        var oldTrace = new TraceFigures();
        oldTrace.Add(span.Id, span.ParentId, span.Name, stored.Kind, stored.StartMs, span.EndMs, stored.Usage.TotalTokens, stored.CostPico, stored.Status, userId, span.SessionId);

        var trace = new TraceFigures();
        trace.Add(span);
        var t = _shiftTrace ??= new RawStatement(connection, $"""
            UPDATE traces SET {ExactSum.AddRowSql("$costHigh", "$cost")}, unpriced_calls = unpriced_calls + $unpriced,
                              total_tokens = total_tokens + $tokens, error_count = error_count + $errors
            WHERE project_id = $p AND trace_id = $id
            RETURNING error_count, started_ms
            """);
        SetKeyAndCost(t, projectId, span.TraceId, trace.CostPico - oldTrace.CostPico);
        t.Set("$unpriced", trace.UnpricedCalls - oldTrace.UnpricedCalls);
        t.Set("$tokens", trace.TotalTokens - oldTrace.TotalTokens);
        t.Set("$errors", trace.Errors - oldTrace.Errors);
        if (!t.Read())
            throw new InvalidOperationException($"Trace {span.TraceId} of a stored span has no row.");
        var (errorsAfter, startedMs) = (t.GetInt64(0), t.GetInt64(1));
        t.Reset();
        rollups.MoveTrace(projectId, new TraceCountState(startedMs, errorsAfter - (trace.Errors - oldTrace.Errors)), new TraceCountState(startedMs, errorsAfter));

        if (span.Kind == SpanKind.Llm && span.SessionId is { } sessionId)
        {
            var now = new SessionFigures();
            now.Add(span);
            var before = rollups.Read(projectId, sessionId);
            var c = _shiftSession ??= new RawStatement(connection, $"""
                UPDATE sessions SET {ExactSum.AddRowSql("$costHigh", "$cost")}, unpriced_calls = unpriced_calls + $unpriced,
                                    input_tokens = input_tokens + $in, output_tokens = output_tokens + $out,
                                    total_tokens = total_tokens + $in + $out, error_count = error_count + $errors
                WHERE project_id = $p AND session_id = $id
                """);
            SetKeyAndCost(c, projectId, sessionId, now.CostPico - old.CostPico);
            c.Set("$unpriced", now.UnpricedCalls - old.UnpricedCalls);
            c.Set("$in", now.InputTokens - old.InputTokens);
            c.Set("$out", now.OutputTokens - old.OutputTokens);
            c.Set("$errors", now.Errors - old.Errors);
            c.Execute();
            rollups.Move(projectId, sessionId, before, rollups.Read(projectId, sessionId));
        }
        return true;
    }

    /// <summary>True when the stored version and the new one differ only in what the session and trace rows sum.</summary>
    private bool KeepsShape(StoredSpanFacts stored, SpanRecord span)
    {
        if (stored.Kind != span.Kind || stored.SessionId != span.SessionId || stored.TraceId != span.TraceId || stored.StartMs != span.StartMs)
            return false;
        var c = _readShape ??= new RawStatement(connection, """
            SELECT s.end_ms, s.parent_id, s.user_id, s.name, s.session_name, s.metadata, s.tags, pl.input
            FROM spans s LEFT JOIN span_payloads pl ON pl.span_row_id = s.id WHERE s.id = $row
            """);
        c.Set("$row", stored.RowId);
        if (!c.Read())
            return false;
        try
        {
            return c.GetInt64(0) == span.EndMs
                && c.GetNullableString(1) == span.ParentId
                && c.GetNullableString(2) == span.UserId
                && c.GetString(3) == span.Name
                && c.GetNullableString(4) == span.SessionName
                && c.GetNullableString(5) == span.MetadataJson
                && c.GetUtf8(6).SequenceEqual(SpanWriteStatements.TagsJson(span.Tags))
                // The derived session name is the first user message of the earliest call that has one.
                && SessionNames.FirstUserMessage(c.GetNullableString(7)) == SessionNames.FirstUserMessage(span.InputJson);
        }
        finally
        {
            c.Reset();
        }
    }

    private static void SetKeyAndCost(RawStatement c, long projectId, string id, Int128 cost)
    {
        var (costHigh, costPico) = ExactSum.ToRow(cost);
        c.Set("$p", projectId);
        c.Set("$id", id);
        c.Set("$costHigh", costHigh);
        c.Set("$cost", costPico);
    }

    public void Dispose()
    {
        _readShape?.Dispose();
        _shiftSession?.Dispose();
        _shiftTrace?.Dispose();
    }
}
