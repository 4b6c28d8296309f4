using Microsoft.Data.Sqlite;
using Zespan.Core.Spans;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The SQL of span_content (migration 073): content kept by span id, copied into span_payloads where the span's own
/// payload lacks it. Used by the content store when content arrives and by the writer when spans arrive (it stores
/// each span with the content it lacks, <see cref="ForWritten"/>).
/// </summary>
internal static class SpanContentStatements
{
    private const string FillPayload = """
        INSERT INTO span_payloads (span_row_id, input, output)
        SELECT s.id, c.input, c.output FROM span_content c JOIN spans s ON s.project_id = c.project_id AND s.span_id = c.span_id
        WHERE c.project_id = $p AND c.span_id = $id
        ON CONFLICT (span_row_id) DO UPDATE SET input = COALESCE(span_payloads.input, excluded.input), output = COALESCE(span_payloads.output, excluded.output)
        """;

    /// <summary>
    /// Stores content and fills the payload of the span if it is stored already. Returns the session whose derived name
    /// the content can change (the span is a call of that session that had no input of its own), else null.
    /// </summary>
    public static string? Attach(SqliteConnection connection, SqliteTransaction transaction, SpanContent content, long nowMs)
    {
        string? renamed = null;
        if (content.InputJson is not null)
        {
            using var lacking = connection.Command("""
                SELECT s.session_id FROM spans s LEFT JOIN span_payloads p ON p.span_row_id = s.id
                WHERE s.project_id = $p AND s.span_id = $id AND s.kind = 1 AND s.session_id IS NOT NULL AND p.input IS NULL
                """, transaction);
            renamed = lacking.With("$p", content.ProjectId).With("$id", content.SpanId).ExecuteScalar() as string;
        }
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
        return renamed;
    }

    /// <summary>
    /// The content kept for the spans of a write that lack an input or an output of their own, by project and span id:
    /// the writer stores each such span with it, so its payload, and the session name its first user message may give,
    /// are what they would be had the span carried it. No lookup when no content was ever sent apart (the common case).
    /// </summary>
    public static Dictionary<(long ProjectId, string SpanId), (string? Input, string? Output)> ForWritten(SqliteConnection connection, SqliteTransaction transaction,
        IReadOnlyList<ProjectSpan> spans)
    {
        var kept = new Dictionary<(long, string), (string?, string?)>();
        if (!spans.Any(s => s.Span.InputJson is null || s.Span.OutputJson is null))
            return kept;
        using (var any = connection.Command("SELECT EXISTS (SELECT 1 FROM span_content)", transaction))
        {
            if (Convert.ToInt64(any.ExecuteScalar()) == 0)
                return kept;
        }
        using var find = connection.Prepared(transaction, "SELECT input, output FROM span_content WHERE project_id = $p AND span_id = $id", "$p", "$id");
        foreach (var (projectId, span) in spans)
        {
            if (span.InputJson is not null && span.OutputJson is not null)
                continue;
            find.Set("$p", projectId);
            find.Set("$id", span.Id);
            using var reader = find.ExecuteReader();
            if (reader.Read())
                kept[(projectId, span.Id)] = (reader.GetNullableString(0), reader.GetNullableString(1));
        }
        return kept;
    }

    /// <summary>The span with the input and output it lacks taken from content kept for it; its own win.</summary>
    public static SpanRecord WithContent(SpanRecord span, (string? Input, string? Output) content) =>
        span with { InputJson = span.InputJson ?? content.Input, OutputJson = span.OutputJson ?? content.Output };

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
            var renamed = new HashSet<(long ProjectId, string SessionId)>();
            foreach (var content in contents)
            {
                if (SpanContentStatements.Attach(connection, transaction, content, now) is { } sessionId)
                    renamed.Add((content.ProjectId, sessionId));
                rebuilds.TouchProject(content.ProjectId); // a derived name is read from the payloads this may fill
            }
            // A call that had no input of its own now has one: its session's derived name may be its first user message.
            using (var rollups = new SessionRollupDeltas(connection))
            {
                foreach (var (projectId, sessionId) in renamed)
                    AggregateRebuilder.RebuildSession(connection, transaction, rollups, projectId, sessionId, knownName: null);
                rollups.Flush();
            }
            transaction.Commit();
        }
    }
}
