using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// Migration 430 moved the traces into a rowid table with the unique index traces_by_id. Its copy keeps every column of
/// every trace, and after it the writer's upserts (new traces, spans added to stored ones, a replaced span) and the
/// readers go on through the new index. The copy is run again on a file with traces (the statements are those of the
/// migration file), so a column left out of it, or an index not rebuilt, fails here.
/// </summary>
public sealed class TracesInRowidOrderTests
{
    private const string EveryColumn = """
        SELECT project_id, trace_id, root_name, root_start_ms, root_span_id, started_ms, ended_ms, span_count, llm_calls, cost_pico,
               unpriced_calls, total_tokens, error_count, user_id, user_start_ms, user_span_id, session_id, session_start_ms,
               session_span_id, cost_high
        FROM traces ORDER BY project_id, trace_id
        """;

    [Fact]
    public async Task TheCopy_KeepsEveryTrace_AndTheWriterGoesOnThroughTheNewIndex()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p");
        var (storage, project) = (store.Storage, store.Project);
        var start = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeMilliseconds();
        var random = new Random(430);
        var traceIds = Enumerable.Range(0, 90).Select(i => $"{random.Next():x8}-{i}").ToList(); // random order, as SDKs send
        string TraceId(int i) => traceIds[i];
        var spans = Enumerable.Range(0, 120).Select(i => new ProjectSpan(project,
            Llm($"s{i}", $"session-{i % 15}", start + i * 1_000, userId: i % 3 == 0 ? $"u{i % 5}" : null, traceId: TraceId(i % 90),
                status: i % 7 == 0 ? SpanStatus.Error : SpanStatus.Ok, costPico: i % 11 == 0 ? null : 1_000_000 + i))).ToList();
        await storage.SpanWriter.WriteAsync(spans);

        await using var connection = await storage.Database.OpenAsync();
        var before = Rows(connection, EveryColumn);
        Assert.Equal(90, before.Count);
        await connection.ApplyMigrationAsync("430_traces_in_rowid_order.sql");
        // The copy renumbers the trace rows, which the links of migration 470 (later) point to: derive them again as 470 does.
        connection.Execute("DELETE FROM trace_spans; INSERT INTO trace_spans SELECT t.id, s.id FROM spans s JOIN traces t ON t.project_id = s.project_id AND t.trace_id = s.trace_id");
        Assert.Equal(before, Rows(connection, EveryColumn));
        Assert.Equal(0L, connection.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'traces' AND sql LIKE '%WITHOUT ROWID%'"));
        Assert.Equal(["traces_by_id", "traces_by_started", "traces_with_errors"],
            Rows(connection, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'traces' ORDER BY name"));

        // After the copy: a span added to a stored trace, a stored span replaced (an error now), and new traces.
        var stored = spans[5].Span;
        await storage.SpanWriter.WriteAsync([
            new ProjectSpan(project, Llm("later", stored.SessionId, start + 500_000, traceId: stored.TraceId)),
            new ProjectSpan(project, spans[8].Span with { Status = SpanStatus.Error }),
            .. Enumerable.Range(0, 10).Select(i => new ProjectSpan(project, Llm($"new{i}", "session-new", start + 600_000 + i, traceId: $"new-trace-{i}"))),
        ]);
        Assert.Equal(100, (await storage.Traces.ListAsync(project, new TraceQuery())).TotalCount);
        var grown = await storage.Traces.GetAsync(project, stored.TraceId);
        Assert.NotNull(grown);
        Assert.Equal(spans.Count(s => s.Span.TraceId == stored.TraceId) + 1, grown.Spans.Count);
        Assert.True(connection.Scalar("SELECT COUNT(*) FROM traces WHERE error_count > 0") > 10, "too few errored traces to tell");
        Assert.Equal(
            Rows(connection, "SELECT trace_id, COUNT(*), SUM(status = 1) FROM spans GROUP BY trace_id ORDER BY trace_id"),
            Rows(connection, "SELECT trace_id, span_count, error_count FROM traces ORDER BY trace_id"));
        Assert.Equal(connection.Scalar("SELECT COUNT(*) FROM traces"), connection.Scalar($"SELECT traces FROM project_trace_counts WHERE project_id = {project}"));
        Assert.Equal(connection.Scalar("SELECT COUNT(*) FROM traces WHERE error_count > 0"),
            connection.Scalar($"SELECT traces FROM project_error_trace_counts WHERE project_id = {project}"));
    }

    private static List<string> Rows(SqliteConnection connection, string sql)
    {
        using var command = new SqliteCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        return rows;
    }
}
