using Zespan.Core.Projects;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// Migration 510 added each model's traces per hour (trace_model_counts_hourly). On a file as it was before (the table
/// gone), the migration's statements count every trace of a model in the hour of its start; the list's count by a
/// model, with or without a range that is not hour-aligned and in each status, equals a count of the traces with a span
/// of that model; and the writer keeps the table when a late span moves a trace an hour back, a trace gains its first
/// error, a re-send changes a span's model and a span moves to another trace.
/// </summary>
public sealed class TraceModelCountsHourlyMigrationTests
{
    private const long Hour = 3_600_000;
    private static readonly string[] Models = ["gpt-4o", "gpt-4o-mini", "o3"];

    [Fact]
    public async Task TheMigration_CountsEveryModelsTracesInTheirHour_AndCountsAndTheWriterGoOn()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p", "other");
        var (storage, project, other) = (store.Storage, store.Project, store.OtherProject);
        var start = TraceCountsHourlyMigrationTests.HourRangeStart();
        // Traces over five hours in two projects, several models per trace, spans without a model, some errored spans.
        var spans = Enumerable.Range(0, 240).Select(i => new ProjectSpan(i % 5 == 0 ? other : project, i % 6 == 0
            ? Work($"w{i}", $"t{i / 3}", start + i * 75_000)
            : Llm($"s{i}", $"session-{i % 12}", start + i * 75_000, traceId: $"t{i / 3}", model: Models[i % 3],
                status: i % 11 == 0 ? SpanStatus.Error : SpanStatus.Ok))).ToList();
        await storage.SpanWriter.WriteAsync(spans);

        await using var connection = await storage.Database.OpenAsync();
        connection.Execute("DROP TABLE trace_model_counts_hourly;");
        await connection.ApplyMigrationAsync("510_trace_model_counts_hourly.sql");
        FoldConformanceTests.AssertTraceModelHours(connection, "after the migration");

        async Task AssertCounts(string context)
        {
            var ranges = new (long?, long?)[]
            {
                (null, null), (start + Hour / 3, start + 3 * Hour + Hour / 4), (start + Hour, start + 2 * Hour), (start - Hour, start + Hour / 2),
                (start + Hour / 2, null), (null, start + 2 * Hour + 1),
            };
            foreach (var (from, to) in ranges)
            {
                foreach (var model in Models)
                {
                    foreach (var status in new SpanStatus?[] { null, SpanStatus.Error, SpanStatus.Ok })
                    {
                        var page = await storage.Traces.ListAsync(project, new TraceQuery { Model = model, FromMs = from, ToMs = to, Status = status, Limit = 1 });
                        var rows = connection.Scalar($"""
                            SELECT COUNT(*) FROM traces t WHERE t.project_id = {project}
                            AND EXISTS (SELECT 1 FROM spans s WHERE s.project_id = t.project_id AND s.trace_id = t.trace_id AND s.model = '{model}')
                            {(from is { } f ? $"AND t.started_ms >= {f}" : "")} {(to is { } x ? $"AND t.started_ms < {x}" : "")}
                            {status switch { SpanStatus.Error => "AND t.error_count > 0", SpanStatus.Ok => "AND t.error_count = 0", _ => "" }}
                            """);
                        Assert.True(rows == page.TotalCount, $"{context}: {model} [{from}, {to}) status {status}: {page.TotalCount} counted, {rows} traces");
                    }
                }
            }
        }
        await AssertCounts("after the migration");

        await storage.SpanWriter.WriteAsync([
            // A span an hour before its trace's first one, and an error added to a trace without one.
            new ProjectSpan(project, Llm("late-early", "session-1", start - Hour + 5, traceId: "t1", model: "o3")),
            new ProjectSpan(project, Llm("late-error", "session-1", start + 13 * 75_000, traceId: "t4", model: "gpt-4o", status: SpanStatus.Error)),
            // A re-send that changes only the model (replaced in place), and one that moves a span to another trace.
            new ProjectSpan(project, spans[7].Span with { Model = "o3" }),
            new ProjectSpan(project, spans[8].Span with { TraceId = "moved-here" }),
        ]);
        FoldConformanceTests.AssertTraceModelHours(connection, "after the writer");
        await AssertCounts("after the writer");
    }
}
