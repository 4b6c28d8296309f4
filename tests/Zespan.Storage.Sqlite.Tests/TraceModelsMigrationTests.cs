using Zespan.Core.Projects;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// Migration 480 added each trace's models in start order (trace_models). On a file as it was before (the table gone),
/// the migration's statements fill it from the spans, the traces list by a model walks only that model's rows, and the
/// writer keeps it: a trace that starts earlier moves its rows, a span moved away takes its model along.
/// </summary>
public sealed class TraceModelsMigrationTests
{
    [Fact]
    public async Task TheMigration_FillsEveryTracesModels_AndTheListAndTheWriterGoOn()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p", "other");
        var (storage, project, other) = (store.Storage, store.Project, store.OtherProject);
        var start = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeMilliseconds();
        // The same trace ids in two projects, several models per trace, and spans without a model.
        var spans = Enumerable.Range(0, 150).Select(i => new ProjectSpan(i % 5 == 0 ? other : project, i % 4 == 0
            ? Work($"w{i}", $"t{i % 40}", start + i * 1_000)
            : Llm($"s{i}", $"session-{i % 12}", start + i * 1_000, traceId: $"t{i % 40}", model: i % 3 == 0 ? "gpt-4o" : "gpt-4o-mini",
                status: i % 7 == 0 ? SpanStatus.Error : SpanStatus.Ok))).ToList();
        await storage.SpanWriter.WriteAsync(spans);

        await using var connection = await storage.Database.OpenAsync();
        connection.Execute("DROP TABLE trace_models;");
        await connection.ApplyMigrationAsync("480_trace_models.sql");
        FoldConformanceTests.AssertTraceModels(connection, "after the migration");

        var withModel = await storage.Traces.ListAsync(project, new TraceQuery { Model = "gpt-4o", Limit = 100 });
        var expected = spans.Where(s => s.ProjectId == project && s.Span.Model == "gpt-4o").Select(s => s.Span.TraceId).Distinct().ToList();
        Assert.Equal(expected.Order(StringComparer.Ordinal), withModel.Items.Select(t => t.TraceId).Order(StringComparer.Ordinal));
        Assert.Equal(expected.Count, withModel.TotalCount);
        var errored = spans.Where(s => s.ProjectId == project && s.Span.Status == SpanStatus.Error).Select(s => s.Span.TraceId).ToHashSet();
        var withModelAndError = await storage.Traces.ListAsync(project, new TraceQuery { Model = "gpt-4o", Status = SpanStatus.Error, Limit = 100 });
        Assert.Equal(expected.Where(errored.Contains).Order(StringComparer.Ordinal), withModelAndError.Items.Select(t => t.TraceId).Order(StringComparer.Ordinal));
        Assert.NotEmpty(withModelAndError.Items);

        // A root earlier than every stored span, and a span moved to a new trace.
        await storage.SpanWriter.WriteAsync([
            new ProjectSpan(project, Llm("early", "session-1", start - 60_000, traceId: "t7", model: "o3")),
            new ProjectSpan(project, spans[1].Span with { TraceId = "moved-here" }),
        ]);
        FoldConformanceTests.AssertTraceModels(connection, "after the writer");
        var o3 = await storage.Traces.ListAsync(project, new TraceQuery { Model = "o3", FromMs = start - 60_000, ToMs = start });
        Assert.Equal(("t7", start - 60_000, 1L), (Assert.Single(o3.Items).TraceId, o3.Items[0].StartedMs, o3.TotalCount));
    }
}
