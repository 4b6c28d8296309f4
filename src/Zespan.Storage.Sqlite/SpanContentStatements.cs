using Microsoft.Data.Sqlite;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The SQL of span_content (migration 073): content kept by span id, copied into span_payloads where the span's own
/// payload lacks it. Used by the content store when content arrives and by the writer when spans arrive.
/// </summary>
internal static class SpanContentStatements
{
    private const string FillPayload = """
        INSERT INTO span_payloads (span_row_id, input, output)
        SELECT s.id, c.input, c.output FROM span_content c JOIN spans s ON s.project_id = c.project_id AND s.span_id = c.span_id
        WHERE c.project_id = $p AND c.span_id = $id
        ON CONFLICT (span_row_id) DO UPDATE SET input = COALESCE(span_payloads.input, excluded.input), output = COALESCE(span_payloads.output, excluded.output)
        """;

    /// <summary>Stores content and fills the payload of the span if it is stored already.</summary>
    public static void Attach(SqliteConnection connection, SqliteTransaction transaction, SpanContent content, long nowMs)
    {
        using (var save = connection.CreateCommand())
        {
            save.Transaction = transaction;
            save.CommandText = """
                INSERT INTO span_content (project_id, span_id, input, output, received_ms) VALUES ($p, $id, $input, $output, $now)
                ON CONFLICT (project_id, span_id) DO UPDATE SET input = COALESCE(excluded.input, span_content.input),
                    output = COALESCE(excluded.output, span_content.output), received_ms = excluded.received_ms
                """;
            save.Parameters.AddWithValue("$p", content.ProjectId);
            save.Parameters.AddWithValue("$id", content.SpanId);
            save.Parameters.AddWithValue("$input", (object?)content.InputJson ?? DBNull.Value);
            save.Parameters.AddWithValue("$output", (object?)content.OutputJson ?? DBNull.Value);
            save.Parameters.AddWithValue("$now", nowMs);
            save.ExecuteNonQuery();
        }
        Fill(connection, transaction, content.ProjectId, content.SpanId);
    }

    /// <summary>After spans are written: fills the payloads of those that lack content kept for them.</summary>
    public static void FillWritten(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<ProjectSpan> spans)
    {
        using (var any = connection.CreateCommand())
        {
            any.Transaction = transaction;
            any.CommandText = "SELECT EXISTS (SELECT 1 FROM span_content)";
            if (Convert.ToInt64(any.ExecuteScalar()) == 0)
                return; // the common case: no stack sends content apart from spans
        }
        foreach (var (projectId, span) in spans)
        {
            if (span.InputJson is null || span.OutputJson is null)
                Fill(connection, transaction, projectId, span.Id);
        }
    }

    private static void Fill(SqliteConnection connection, SqliteTransaction transaction, long projectId, string spanId)
    {
        using var fill = connection.CreateCommand();
        fill.Transaction = transaction;
        fill.CommandText = FillPayload;
        fill.Parameters.AddWithValue("$p", projectId);
        fill.Parameters.AddWithValue("$id", spanId);
        fill.ExecuteNonQuery();
    }
}

/// <summary>The embedded backend's ISpanContentStore: one transaction per call, taking turns with the span writer.</summary>
public sealed class SqliteSpanContentStore(SqliteDatabase database, SqliteWriteGate writeGate, DeferredSessionRebuilds rebuilds, TimeProvider clock) : ISpanContentStore
{
    public async Task AttachAsync(IReadOnlyList<SpanContent> contents, CancellationToken cancellationToken = default)
    {
        if (contents.Count == 0)
            return;
        using (await writeGate.EnterAsync(cancellationToken))
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            using var transaction = connection.BeginTransaction(deferred: false);
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var content in contents)
            {
                SpanContentStatements.Attach(connection, transaction, content, now);
                rebuilds.TouchProject(content.ProjectId); // a derived name is read from the payloads this may fill
            }
            transaction.Commit();
        }
    }
}
