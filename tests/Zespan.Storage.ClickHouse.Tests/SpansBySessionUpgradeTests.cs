using System.Text.Json;
using System.Text.Json.Nodes;
using Zespan.Core;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// Migration 003 moves the spans into session_spans (sorted by session) while servers of the previous version may still
/// be writing: the rows written before it are copied, the old servers' later rows are carried over, and every figure of
/// a session — its summary and its timeline, which now read only that session's rows — equals a recomputation, with
/// re-sends that moved a span between sessions before and after the upgrade. Migration 004 (session rows, filled from
/// every span written before it) then runs with the old servers stopped, and the list agrees too. Migration 005 drops
/// span_versions in the same start: from then on the versions come from span_sessions, which 004 filled. Migration 009
/// fills the trace rows in the same start, from spans re-sent into other traces, and migration 010 moves the lookups by
/// span id into span_keys, from which a later move of an old span finds the session and the trace it leaves.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class SpansBySessionUpgradeTests(ClickHouseCluster cluster)
{
    private static readonly JsonSerializerOptions RowNames = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>A span row without the columns added after migration 002 (012's cache writes), which the spans table lacks.</summary>
    private static JsonObject AsThePreviousVersionWritesIt(SpanRow row)
    {
        var columns = JsonSerializer.SerializeToNode(row, RowNames)!.AsObject();
        columns.Remove("cache_creation_input_tokens");
        return columns;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SpansWrittenBeforeAndDuringTheUpgrade_AreAllRead(bool onCluster)
    {
        var settings = cluster.NewDatabase(onCluster);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        var http = new ClickHouseHttp(settings, client);
        try
        {
            const long project = 7;
            // A server of the previous version: migrations 001 and 002 only, spans written to the spans table.
            await http.ExecuteAsync(ClickHouseSchema.CreateDatabase(settings.Database, settings.Cluster));
            await http.ExecuteAsync(ClickHouseSchema.MigrationsTable(settings.Database, settings.Cluster));
            async Task MigrateAsync(Func<int, bool> which)
            {
                foreach (var migration in ClickHouseSchema.Migrations(settings.Database, settings.Cluster).Where(m => which(m.Number)))
                {
                    foreach (var statement in migration.Statements)
                        await http.ExecuteAsync(statement);
                    await http.InsertAsync("zespan_migrations", [new { Number = migration.Number, AppliedMs = 0L }]);
                }
            }
            await MigrateAsync(n => n < 3);
            var version = 0UL;
            var written = new List<SpanRecord>();
            async Task OldServerWritesAsync(params SpanRecord[] spans)
            {
                await http.InsertAsync("spans", spans.Select(s => AsThePreviousVersionWritesIt(SpanRow.Of(project, s, ++version))).ToList());
                written.AddRange(spans);
            }
            await OldServerWritesAsync(Llm("a", "s1", 1_000, traceId: "t1"), Llm("b", "s1", 2_000, traceId: "t1"), Llm("c", "s2", 3_000, traceId: "t2"),
                Llm("d", "s2", 4_000, traceId: "t2"));
            await OldServerWritesAsync(Llm("b", "s2", 2_500, costPico: 7, traceId: "t2")); // re-sent into another session and trace

            // A server of version 003 starts: migration 003 runs.
            await MigrateAsync(n => n == 3);

            // The old server keeps writing during the rolling upgrade to 003 (moving a span back, adding one).
            await OldServerWritesAsync(Llm("c", "s1", 3_500, costPico: 9, traceId: "t3"), Llm("e", "s2", 5_000, traceId: "t2"));

            // With every old server stopped, a server of this version starts: migration 004 fills the session rows from
            // all of the above, then the new server writes.
            var backend = await ClickHouseBackend.CreateAsync(settings);
            var applied = await http.QueryAsync($"SELECT number FROM {settings.Database}.zespan_migrations FORMAT JSONCompact", null, r => r[0].GetInt32());
            Assert.Contains(4, applied);
            Assert.Contains(5, applied);
            Assert.Empty(await http.QueryAsync($"SELECT name FROM system.tables WHERE database = {{db:String}} AND startsWith(name, 'span_versions') FORMAT JSONCompact",
                new Dictionary<string, object?> { ["db"] = settings.Database }, r => r[0].GetString()));
            // Migration 010 replaced span_sessions and span_traces with span_keys, filled from the spans above: a span
            // written before it that moves now (d, from s2 and t2) must still update the session and the trace it left.
            Assert.Empty(await http.QueryAsync($"SELECT name FROM system.tables WHERE database = {{db:String}} AND (startsWith(name, 'span_sessions') OR startsWith(name, 'span_traces')) FORMAT JSONCompact",
                new Dictionary<string, object?> { ["db"] = settings.Database }, r => r[0].GetString()));
            SpanRecord[] fresh = [Llm("f", "s1", 6_000, traceId: "t1"), Llm("d", "s1", 4_500, costPico: 11, traceId: "t1")];
            await backend.SpanWriter.WriteAsync(fresh.Select(s => new ProjectSpan(project, s)).ToList());
            written.AddRange(fresh);

            var final = written.GroupBy(s => s.Id).Select(g => g.Last()).ToList();
            var expected = ReferenceFigures.Sessions(final);
            Assert.Equal(2, expected.Count);
            foreach (var (sessionId, figures) in expected)
            {
                var detail = await backend.Sessions.GetAsync(project, sessionId);
                Assert.NotNull(detail);
                Compare.Session(figures, detail.Session, "detail after the upgrade");
                Assert.Equal(final.Where(s => s.SessionId == sessionId).OrderBy(s => s.StartMs).Select(s => s.Id), detail.Timeline.Select(t => t.SpanId));
            }
            var listed = await backend.Sessions.ListAsync(project, new SessionQuery { Limit = 10 });
            Assert.Equal(2, listed.TotalCount);
            foreach (var session in listed.Items)
                Compare.Session(expected[session.SessionId], session, "list after the upgrade");
            // Cost by model over whole hours reads the cells migration 007 added to the rows the upgrade filled.
            Compare.Models(ReferenceFigures.Models(final), await backend.Costs.ByModelAsync(project, TimeRange.All), "cost by model after the upgrade");
            // The traces list reads the rows migration 009 filled (t3) and the writer kept (t1, t2).
            var expectedTraces = ReferenceFigures.Traces(final);
            var traces = await backend.Traces.ListAsync(project, new TraceQuery { Limit = 10 });
            Assert.Equal(3, traces.TotalCount);
            Assert.Equal(["t1", "t2", "t3"], traces.Items.Select(t => t.TraceId).Order(StringComparer.Ordinal));
            foreach (var trace in traces.Items)
                Compare.Trace(expectedTraces[trace.TraceId], trace, "traces list after the upgrade");
        }
        finally
        {
            await ClickHouseBackend.DropDatabaseAsync(settings);
        }
    }
}
