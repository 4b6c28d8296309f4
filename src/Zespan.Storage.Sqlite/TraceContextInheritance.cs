using Microsoft.Data.Sqlite;
using Zespan.Core.Spans;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Session and user along a trace for spans marked InheritsTraceContext (migration 073), resolved at write time in the
/// writer's transaction. Stored spans are always resolved, so looking at the stored parent is enough when a child
/// arrives after it; when an ancestor arrives after its children, it passes its session/user down to the stored
/// descendants that lack them, and their sessions are rebuilt. Either order gives the same figures.
/// </summary>
internal sealed class TraceContextInheritance(SqliteConnection connection, SqliteTransaction transaction) : IDisposable
{
    // Prepared once per transaction and reused: this runs for every OTLP span on the single writer's path.
    private SqliteCommand? _findParent, _mark, _hasWaitingChildren;

    public void Dispose()
    {
        _findParent?.Dispose();
        _mark?.Dispose();
        _hasWaitingChildren?.Dispose();
    }

    private SqliteCommand Prepared(ref SqliteCommand? command, string sql, params string[] parameters)
    {
        if (command is null)
        {
            command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (var name in parameters)
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        return command;
    }

    /// <summary>The span with session/user taken from its stored parent where it has none.</summary>
    public SpanRecord FromStoredParent(long projectId, SpanRecord span)
    {
        if (!span.InheritsTraceContext || span.ParentId is null || (span.SessionId is not null && span.UserId is not null))
            return span;
        var find = Prepared(ref _findParent, "SELECT session_id, user_id FROM spans WHERE project_id = $p AND span_id = $id", "$p", "$id");
        find.Parameters["$p"].Value = projectId;
        find.Parameters["$id"].Value = span.ParentId;
        using var reader = find.ExecuteReader();
        if (!reader.Read())
            return span;
        return span with
        {
            SessionId = span.SessionId ?? (reader.IsDBNull(0) ? null : reader.GetString(0)),
            UserId = span.UserId ?? (reader.IsDBNull(1) ? null : reader.GetString(1)),
        };
    }

    /// <summary>After the span is stored: marks it if it still lacks context, and passes its context to waiting descendants.</summary>
    public void AfterWrite(long projectId, long rowId, SpanRecord span, HashSet<(long, string)> sessionsToRebuild, HashSet<(long, string)> tracesToRebuild)
    {
        if (!span.InheritsTraceContext)
            return;
        if (span.SessionId is null || span.UserId is null)
        {
            var mark = Prepared(ref _mark, "UPDATE spans SET context_from_trace = 1 WHERE id = $row", "$row");
            mark.Parameters["$row"].Value = rowId;
            mark.ExecuteNonQuery();
        }
        if (span.SessionId is null && span.UserId is null)
            return;
        // An index probe (spans_awaiting_context); the recursive update runs only for the rare span whose children came first.
        var probe = Prepared(ref _hasWaitingChildren,
            "SELECT EXISTS (SELECT 1 FROM spans WHERE project_id = $p AND parent_id = $id AND context_from_trace = 1)", "$p", "$id");
        probe.Parameters["$p"].Value = projectId;
        probe.Parameters["$id"].Value = span.Id;
        if (Convert.ToInt64(probe.ExecuteScalar()) == 0)
            return;
        var changed = false;
        if (span.SessionId is not null)
            changed |= PassDown(projectId, span.Id, "session_id", span.SessionId, sessionsToRebuild);
        if (span.UserId is not null)
            changed |= PassDown(projectId, span.Id, "user_id", span.UserId, sessionsToRebuild);
        if (changed)
            tracesToRebuild.Add((projectId, span.TraceId));
    }

    /// <summary>Sets the column on every marked descendant reached through marked spans that lack it; their sessions are rebuilt.</summary>
    private bool PassDown(long projectId, string spanId, string column, string value, HashSet<(long, string)> sessionsToRebuild)
    {
        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        // column is one of two constants above, never input.
        update.CommandText = $"""
            WITH RECURSIVE waiting(span_id) AS (
                SELECT span_id FROM spans WHERE project_id = $p AND parent_id = $id AND context_from_trace = 1 AND {column} IS NULL
                UNION
                SELECT s.span_id FROM spans s JOIN waiting w ON s.project_id = $p AND s.parent_id = w.span_id
                WHERE s.context_from_trace = 1 AND s.{column} IS NULL
            )
            UPDATE spans SET {column} = $value WHERE project_id = $p AND span_id IN (SELECT span_id FROM waiting)
            RETURNING session_id
            """;
        update.Parameters.AddWithValue("$p", projectId);
        update.Parameters.AddWithValue("$id", spanId);
        update.Parameters.AddWithValue("$value", value);
        using var reader = update.ExecuteReader();
        var any = false;
        while (reader.Read())
        {
            any = true;
            if (!reader.IsDBNull(0))
                sessionsToRebuild.Add((projectId, reader.GetString(0)));
        }
        return any;
    }
}
