using Zespan.Core.Projects;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// Migration 470 replaced the index spans_by_trace with links from trace rows to span rows (trace_spans). On a file as
/// it was before (links gone, the index back), the migration's statements link every span to its own trace's row, and
/// afterwards the trace detail, the traces list's model filter and the writer (a span added to a stored trace, a span
/// moved to another trace) go on through the links.
/// </summary>
public sealed class TraceSpanLinksMigrationTests
{
    [Fact]
    public async Task TheMigration_LinksEverySpanToItsTrace_AndReadersAndTheWriterGoOn()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p", "other");
        var (storage, project, other) = (store.Storage, store.Project, store.OtherProject);
        var start = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeMilliseconds();
        var random = new Random(470);
        var traceIds = Enumerable.Range(0, 40).Select(i => $"{random.Next():x8}-{i}").ToList();
        // The same trace ids in two projects: a trace's links must stay within its project.
        var spans = Enumerable.Range(0, 150).Select(i => new ProjectSpan(i % 5 == 0 ? other : project,
            Llm($"s{i}", $"session-{i % 12}", start + i * 1_000, traceId: traceIds[i % 40], model: i % 3 == 0 ? "gpt-4o" : "gpt-4o-mini"))).ToList();
        await storage.SpanWriter.WriteAsync(spans);

        await using var connection = await storage.Database.OpenAsync();
        connection.Execute("DROP TABLE trace_spans; CREATE INDEX spans_by_trace ON spans(project_id, trace_id, start_ms);");
        await connection.ApplyMigrationAsync("470_trace_span_links.sql");
        FoldConformanceTests.AssertTraceLinks(connection, "after the migration");
        Assert.Equal(0L, connection.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'spans_by_trace'"));
        // The rebuild seeks the trace's links, then each span by its row.
        var plan = connection.QueryPlan(AggregateRebuilder.TraceSpansSql);
        Assert.True(plan.Contains("USING PRIMARY KEY (trace_row=?)", StringComparison.Ordinal) && plan.Contains("USING INTEGER PRIMARY KEY (rowid=?)", StringComparison.Ordinal), plan);

        var trace = traceIds[7];
        var detail = await storage.Traces.GetAsync(project, trace);
        Assert.NotNull(detail);
        Assert.Equal(spans.Where(s => s.ProjectId == project && s.Span.TraceId == trace).Select(s => s.Span.Id).Order(StringComparer.Ordinal),
            detail.Spans.Select(s => s.Id).Order(StringComparer.Ordinal));
        var withModel = await storage.Traces.ListAsync(project, new TraceQuery { Model = "gpt-4o", Limit = 100 });
        Assert.Equal(spans.Where(s => s.ProjectId == project && s.Span.Model == "gpt-4o").Select(s => s.Span.TraceId).Distinct().Order(StringComparer.Ordinal),
            withModel.Items.Select(t => t.TraceId).Order(StringComparer.Ordinal));

        // A span added to a stored trace, and a stored span moved to a new trace.
        await storage.SpanWriter.WriteAsync([
            new ProjectSpan(project, Llm("later", "session-1", start + 500_000, traceId: trace)),
            new ProjectSpan(project, spans[1].Span with { TraceId = "moved-here" }),
        ]);
        FoldConformanceTests.AssertTraceLinks(connection, "after the writer");
        Assert.Equal(detail.Spans.Count + 1, (await storage.Traces.GetAsync(project, trace))!.Spans.Count);
        Assert.Equal(["s1"], (await storage.Traces.GetAsync(project, "moved-here"))!.Spans.Select(s => s.Id));
    }
}
