using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Storage;
using Zespan.Core.Traces;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>The unfiltered list's totalCount comes from a per-project counter (migration 030); it must equal a real count through every write path.</summary>
public sealed class SessionCountTests
{
    private const long Hour = 3_600_000;

    [Fact]
    public async Task UnfilteredTotalCount_MatchesCountingTheSessions_AfterInsertsReplacementsAndRetention()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Free, "p", "other");
        var (storage, project, other) = (store.Storage, store.Project, store.OtherProject);
        var spans = Enumerable.Range(0, 40)
            .Select(i => new ProjectSpan(i % 4 == 0 ? other : project, TestSpans.Llm($"span-{i}", $"session-{i % 13}", TestSpans.Day0 + i * Hour, traceId: $"trace-{i % 9}")))
            .ToList();
        await storage.SpanWriter.WriteAsync(spans);
        await store.AssertHoldsWhatWasSentAsync(spans.Where((_, i) => i % 4 != 0).Select(s => s.Span), spans.Where((_, i) => i % 4 == 0).Select(s => s.Span));
        await AssertCountsAgreeAsync(storage, project, other);

        // A replaced span moves to another session (and trace): the old session is rebuilt (deleted when empty), the new one created.
        await storage.SpanWriter.WriteAsync([new ProjectSpan(project, TestSpans.Llm("span-1", "moved-here", TestSpans.Day0 + Hour, traceId: "trace-new"))]);
        await AssertCountsAgreeAsync(storage, project, other);

        // Retention deletes old spans; sessions left without LLM spans disappear and must leave the count.
        await storage.Retention.DeleteSpansStartedBeforeAsync(project, TestSpans.Day0 + 35 * Hour, batchSize: 7);
        await AssertCountsAgreeAsync(storage, project, other);
        Assert.True((await storage.Sessions.ListAsync(project, new SessionQuery())).TotalCount < 11, "retention should have removed whole sessions");
    }

    private static async Task AssertCountsAgreeAsync(SqliteStorage storage, params long[] projectIds)
    {
        foreach (var projectId in projectIds)
        {
            await using var connection = await storage.Database.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM sessions WHERE project_id = $p";
            command.Parameters.AddWithValue("$p", projectId);
            var counted = (long)(await command.ExecuteScalarAsync())!;
            var unfiltered = await storage.Sessions.ListAsync(projectId, new SessionQuery());
            // A filter that matches everything still takes the COUNT(*) path: both paths must agree.
            var filtered = await storage.Sessions.ListAsync(projectId, new SessionQuery { Filter = new SessionFilter { FromMs = 0 } });
            Assert.Equal(counted, unfiltered.TotalCount);
            Assert.Equal(counted, filtered.TotalCount);

            // Traces: the unfiltered count comes from project_trace_counts (migration 047), a filtered one from COUNT(*).
            await using var traces = connection.CreateCommand();
            traces.CommandText = "SELECT COUNT(*) FROM traces WHERE project_id = $p";
            traces.Parameters.AddWithValue("$p", projectId);
            var tracesCounted = (long)(await traces.ExecuteScalarAsync())!;
            Assert.Equal(tracesCounted, (await storage.Traces.ListAsync(projectId, new TraceQuery())).TotalCount);
            Assert.Equal(tracesCounted, (await storage.Traces.ListAsync(projectId, new TraceQuery { FromMs = 0 })).TotalCount);
            // Retention removes the links of the spans it deletes; a move re-links the span (trace_spans).
            FoldConformanceTests.AssertTraceLinks(connection, $"project {projectId}");
            FoldConformanceTests.AssertTraceModels(connection, $"project {projectId}");
            FoldConformanceTests.AssertTraceHours(connection, $"project {projectId}");
            FoldConformanceTests.AssertTraceModelHours(connection, $"project {projectId}");
        }
    }
}
