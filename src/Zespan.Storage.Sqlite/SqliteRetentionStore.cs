using Zespan.Core;
using Microsoft.Data.Sqlite;
using Zespan.Core.Spans;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Deletes aged-out spans oldest first, one small transaction per batch. Each batch takes the same write gate as ingestion
/// and gives it back before the next, so a large clean-up delays an ingest write by at most one batch. A long session that
/// loses calls is rebuilt outside the writer (DeferredSessionRebuilds) before the next batch.
/// </summary>
public sealed class SqliteRetentionStore(SqliteDatabase database, SqliteWriteGate writeGate, DeferredSessionRebuilds rebuilds) : IRetentionStore
{
    /// <summary>The file's random identity (070_control_plane_sharing.sql): each SQLite file holds spans of its own.</summary>
    public async Task<string> DataScopeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT scope FROM store_identity WHERE id = 1");
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<long> DeleteSpansStartedBeforeAsync(long projectId, long cutoffMs, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        long total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int deleted;
            DeferredSessionRebuilds.Snapshot? deferred;
            using (await writeGate.EnterAsync(cancellationToken))
            {
                var tickets = new List<DeferredSessionRebuilds.Ticket>();
                deleted = await DeleteOneBatchAsync(projectId, cutoffMs, batchSize, tickets, cancellationToken);
                rebuilds.OrphansCommitted();
                deferred = await rebuilds.BeginAsync(tickets);
            }
            if (deferred is not null)
                await rebuilds.CompleteAsync(deferred);
            total += deleted;
            if (deleted < batchSize)
                break;
        }
        using (await writeGate.EnterAsync(cancellationToken))
            await DeleteOrphanContentAsync(projectId, cutoffMs, cancellationToken);
        return total;
    }

    /// <summary>
    /// Content that arrived apart from its span (OTLP logs) before the cut and whose span never came: its span, which
    /// started before the content arrived, would be outside the window too.
    /// </summary>
    private async Task DeleteOrphanContentAsync(long projectId, long cutoffMs, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("DELETE FROM span_content WHERE project_id = $p AND received_ms < $cutoff")
            .With("$p", projectId).With("$cutoff", cutoffMs);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<int> DeleteOneBatchAsync(long projectId, long cutoffMs, int batchSize, List<DeferredSessionRebuilds.Ticket> deferred,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction(deferred: false);
        var doomed = ReadOldest(connection, transaction, projectId, cutoffMs, batchSize);
        if (doomed.Count == 0)
            return 0;

        // Set-based: one statement per table for the whole batch (row ids as one JSON array parameter), and the hourly
        // model rows as one signed delta per (hour, model). Why: per-span statements (three deletes and an upsert for each
        // of 1,000 spans) were a third of a retention batch.
        var rows = "[" + string.Join(",", doomed.Select(span => span.RowId)) + "]";
        foreach (var sql in new[]
        {
            "DELETE FROM span_payloads WHERE span_row_id IN (SELECT value FROM json_each($rows))",
            "DELETE FROM span_content WHERE (project_id, span_id) IN (SELECT project_id, span_id FROM spans WHERE id IN (SELECT value FROM json_each($rows)))",
            // Their links (TraceSpanLinks), found through each span's trace row, before the spans go.
            """
            DELETE FROM trace_spans WHERE (trace_row, span_row) IN
                (SELECT t.id, s.id FROM spans s JOIN traces t ON t.project_id = s.project_id AND t.trace_id = s.trace_id WHERE s.id IN (SELECT value FROM json_each($rows)))
            """,
            "DELETE FROM spans WHERE id IN (SELECT value FROM json_each($rows))",
        })
        {
            using var delete = connection.Command(sql, transaction).With("$rows", rows);
            delete.ExecuteNonQuery();
        }
        var hourly = new PendingAggregates();
        var sessions = new HashSet<string>(StringComparer.Ordinal);
        var traces = new HashSet<string>(StringComparer.Ordinal);
        foreach (var span in doomed)
        {
            if (span.Kind == SpanKind.Llm)
                hourly.AddToHourly(projectId, span.StartMs, span.Model, span.Usage, span.CostPico, span.Status, -1);
            if (span.SessionId is not null && sessions.Add(span.SessionId))
                rebuilds.Touch(projectId, span.SessionId);
            traces.Add(span.TraceId);
        }
        using (var statements = new SpanWriteStatements(connection))
            hourly.FlushHourly(statements);
        using (var rollups = new SessionRollupDeltas(connection))
        {
            rebuilds.RebuildOrphans(connection, transaction, rollups);
            foreach (var sessionId in sessions)
            {
                var knownName = SessionActivityRows.NameAfterRemovals(connection, transaction, projectId, sessionId);
                if (!rebuilds.TryDefer(connection, transaction, projectId, sessionId, knownName, deferred))
                    AggregateRebuilder.RebuildSession(connection, transaction, rollups, projectId, sessionId, knownName);
            }
            AggregateRebuilder.RebuildTraces(connection, transaction, rollups, traces.Select(traceId => (projectId, traceId)));
            rollups.Flush();
        }
        // Rows emptied by this batch lie at or before the hour of its last (latest) span. Rows before it are nearly all gone
        // already, so this range is short, where a project-wide sweep read every hourly row of the project once per batch;
        // it also clears hours emptied earlier by replacements that moved spans away.
        using (var emptyHours = connection.Command("DELETE FROM model_usage_hourly WHERE project_id = $p AND hour <= $last AND calls = 0", transaction))
            emptyHours.With("$p", projectId).With("$last", HourRange.Floor(doomed[^1].StartMs)).ExecuteNonQuery();
        transaction.Commit();
        return doomed.Count;
    }

    /// <summary>The oldest spans of a project before the cutoff, in start order: read along spans_by_start (IndexUseTests).</summary>
    internal const string OldestSql = """
        SELECT id, kind, session_id, trace_id, start_ms, model, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_pico, status,
               cache_creation_input_tokens
        FROM spans WHERE project_id = $p AND start_ms < $cutoff ORDER BY start_ms LIMIT $limit
        """;

    private static List<StoredSpanFacts> ReadOldest(SqliteConnection connection, SqliteTransaction transaction, long projectId, long cutoffMs, int batchSize)
    {
        using var select = connection.Command(OldestSql, transaction).With("$p", projectId).With("$cutoff", cutoffMs).With("$limit", batchSize);
        var spans = new List<StoredSpanFacts>();
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            spans.Add(new StoredSpanFacts(
                reader.GetInt64(0), (SpanKind)reader.GetInt32(1), reader.GetNullableString(2), reader.GetString(3), reader.GetInt64(4),
                reader.GetNullableString(5), new TokenUsage(reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(12)),
                reader.GetNullableInt64(10), (SpanStatus)reader.GetInt32(11)));
        }
        return spans;
    }
}
