using Zespan.Core.Projects;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// Migration 500 added the traces per hour (trace_counts_hourly). On a file as it was before (the table gone), the
/// migration's statements count every trace row in the hour of its start, the list's count over a range that is not
/// hour-aligned equals a count of the rows, and the writer keeps the table when a late root moves a trace an hour back.
/// </summary>
public sealed class TraceCountsHourlyMigrationTests
{
    private const long Hour = 3_600_000;

    [Fact]
    public async Task TheMigration_CountsEveryTraceInItsHour_AndCountsAndTheWriterGoOn()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p", "other");
        var (storage, project, other) = (store.Storage, store.Project, store.OtherProject);
        var start = HourRangeStart();
        // Traces over five hours in two projects, some with an errored span.
        var spans = Enumerable.Range(0, 200).Select(i => new ProjectSpan(i % 5 == 0 ? other : project,
            Llm($"s{i}", $"session-{i % 12}", start + i * 90_000, traceId: $"t{i / 2}", status: i % 9 == 0 ? SpanStatus.Error : SpanStatus.Ok))).ToList();
        await storage.SpanWriter.WriteAsync(spans);

        await using var connection = await storage.Database.OpenAsync();
        connection.Execute("DROP TABLE trace_counts_hourly;");
        await connection.ApplyMigrationAsync("500_trace_counts_hourly.sql");
        FoldConformanceTests.AssertTraceHours(connection, "after the migration");

        async Task AssertCounts(string context)
        {
            foreach (var (from, to) in new[] { (start + Hour / 3, start + 3 * Hour + Hour / 4), (start + Hour, start + 2 * Hour), (start - Hour, start + Hour / 2) })
            {
                foreach (var status in new SpanStatus?[] { null, SpanStatus.Error, SpanStatus.Ok })
                {
                    var page = await storage.Traces.ListAsync(project, new TraceQuery { FromMs = from, ToMs = to, Status = status, Limit = 1 });
                    var rows = connection.Scalar($"""
                        SELECT COUNT(*) FROM traces WHERE project_id = {project} AND started_ms >= {from} AND started_ms < {to}
                        {status switch { SpanStatus.Error => "AND error_count > 0", SpanStatus.Ok => "AND error_count = 0", _ => "" }}
                        """);
                    Assert.True(rows == page.TotalCount, $"{context}: [{from}, {to}) status {status}: {page.TotalCount} counted, {rows} rows");
                }
            }
        }
        await AssertCounts("after the migration");

        // A root an hour before its trace's first span, and an error added to a trace without one.
        await storage.SpanWriter.WriteAsync([
            new ProjectSpan(project, Work("late-root", "t1", start - Hour + 5)),
            new ProjectSpan(project, Llm("late-error", "session-1", start + 10 * 90_000, traceId: "t11", status: SpanStatus.Error)),
        ]);
        FoldConformanceTests.AssertTraceHours(connection, "after the writer");
        await AssertCounts("after the writer");
    }

    /// <summary>Yesterday's first whole hour, so every span is inside the plan's retention and hours are aligned.</summary>
    internal static long HourRangeStart()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return now - now % Hour - 24 * Hour;
    }
}
