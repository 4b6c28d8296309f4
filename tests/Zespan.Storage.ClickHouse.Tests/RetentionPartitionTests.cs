using Zespan.Core.Sessions;
using Zespan.Core.Storage;
using Zespan.Core.Spans;
using Zespan.Core.Traces;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// Retention on a database only one project writes to (a single-tenant deployment): months wholly before the cutoff are
/// dropped as partitions, not rewritten span by span, and every figure still equals a recomputation from the spans that
/// remain — including spans re-sent across months and sessions that straddle the cut.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class RetentionPartitionTests(ClickHouseCluster cluster)
{
    private static long At(int month, int day, int hour) => new DateTimeOffset(2026, month, day, hour, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public async Task OldMonthsOfTheOnlyProject_AreDroppedWhole_AndFiguresMatchARecomputation()
    {
        var backend = await ClickHouseBackend.CreateAsync(cluster.NewDatabase());
        try
        {
            const long project = 1;
            var cutoff = At(11, 15, 12);
            var first = new List<SpanRecord>
            {
                Llm("sep-1", "old", At(9, 10, 10), costPico: 100, traceId: "t-old"), Llm("sep-2", "old", At(9, 12, 10), costPico: 200, traceId: "t-old"),
                Llm("oct-1", "straddle", At(10, 14, 10), costPico: 300, traceId: "t-straddle"),
                Llm("nov-before", "straddle", At(11, 14, 10), costPico: 400, traceId: "t-straddle"),
                Llm("nov-after", "straddle", At(11, 20, 10), costPico: 500, traceId: "t-straddle"),
                Llm("back", "moved", At(11, 21, 10), costPico: 600, traceId: "t-moved"),
                Llm("forward", "moved", At(9, 20, 10), costPico: 700, traceId: "t-moved"),
                Llm("kept", "recent", At(11, 25, 10), costPico: 800, traceId: "t-recent"),
            };
            // Re-sends across months: "back" now started in September (its newest version is in a dropped month, an older
            // one in a kept month); "forward" now starts after the cut (its old version sits in a dropped month).
            var resent = new List<SpanRecord>
            {
                Llm("back", "moved", At(9, 21, 10), costPico: 601, traceId: "t-moved"),
                Llm("forward", "moved", At(11, 22, 10), costPico: 701, traceId: "t-moved"),
            };
            await backend.SpanWriter.WriteAsync(first.Select(s => new ProjectSpan(project, s)).ToList());
            await backend.SpanWriter.WriteAsync(resent.Select(s => new ProjectSpan(project, s)).ToList());
            var final = first.Select(s => resent.LastOrDefault(r => r.Id == s.Id) ?? s).ToList();

            var deleted = await backend.Retention.DeleteSpansStartedBeforeAsync(project, cutoff, 2);

            var remaining = final.Where(s => s.StartMs >= cutoff).ToList();
            Assert.Equal(final.Count - remaining.Count, deleted);
            var expected = ReferenceFigures.Sessions(remaining);
            var listed = await backend.Sessions.ListAsync(project, new SessionQuery { Limit = 100 });
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), listed.Items.Select(s => s.SessionId).Order(StringComparer.Ordinal));
            foreach (var session in listed.Items)
            {
                Compare.Session(expected[session.SessionId], session, "after retention");
                // The detail reads only the session's rows and span_keys, which keeps the versions of dropped months.
                var detail = await backend.Sessions.GetAsync(project, session.SessionId);
                Compare.Session(expected[session.SessionId], detail!.Session, "detail after retention");
                Assert.Equal(remaining.Where(s => s.SessionId == session.SessionId).OrderBy(s => s.StartMs).Select(s => s.Id), detail.Timeline.Select(t => t.SpanId));
            }
            Assert.Equal(remaining.Sum(s => s.CostPico ?? 0), (long)(await backend.Sessions.StatsAsync(project, SessionFilter.None)).TotalCostPico);
            // The traces of dropped and deleted spans were recomputed: t-old is gone, t-straddle lost two of its spans.
            var expectedTraces = ReferenceFigures.Traces(remaining);
            var traces = await backend.Traces.ListAsync(project, new TraceQuery { Limit = 100 });
            Assert.Equal(["t-moved", "t-recent", "t-straddle"], traces.Items.Select(t => t.TraceId).Order(StringComparer.Ordinal));
            Assert.Equal(3, traces.TotalCount);
            foreach (var trace in traces.Items)
                Compare.Trace(expectedTraces[trace.TraceId], trace, "traces after retention");

            // September and October are gone as partitions: not one row (version or deleted marker) is left in them.
            var database = backend.Http.Settings.Database;
            var months = await backend.Http.QueryAsync(
                $"SELECT toYYYYMM(toDateTime(intDiv(start_ms, 1000))) AS m, count() FROM {database}.session_spans GROUP BY m ORDER BY m FORMAT JSONCompact", null,
                r => r[0].ToString());
            Assert.Equal(["202611"], months);

            // A second run finds nothing more to delete.
            Assert.Equal(0, await backend.Retention.DeleteSpansStartedBeforeAsync(project, cutoff, 2));
        }
        finally
        {
            await backend.DropAsync();
        }
    }
}
