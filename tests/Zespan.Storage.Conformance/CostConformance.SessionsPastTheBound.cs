using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Trends;
using Zespan.Core.Spans;
using Zespan.Core.Traces;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>
/// One session's and one trace's own cost past 2^63 picodollars ($9,223,372.04), where a 64-bit sum wraps (issue 12):
/// every figure built from it — list item, detail, sort order, user totals, stats, trends, trace rows — equals the
/// recomputation below, summed in 128 bits from the raw spans.
/// </summary>
public abstract partial class CostConformance
{
    private const long MillionDollars = 1_000_000 * Money.PicoPerUsd;

    /// <summary>
    /// "a-whale": ten $1 M calls and a 7-picodollar one ($10,000,000.000000000007). "b-whale": nine $1 M calls, one of
    /// $0.3 M and three cheap ones (just above $9.3 M). The ids order the other way round from the costs, so a sort that
    /// stops being exact at the bound (and falls back to the id) shows. Two cheap sessions and an unpriced one around them.
    /// </summary>
    private static List<SpanRecord> Whales()
    {
        var spans = new List<SpanRecord>();
        for (var i = 0; i < 11; i++)
            spans.Add(Llm($"a-{i}", "a-whale", Day0 + Hour + i * 1_000L, costPico: i < 10 ? MillionDollars : 7, userId: "big", traceId: "trace-a"));
        for (var i = 0; i < 13; i++)
            spans.Add(Llm($"b-{i}", "b-whale", Day0 + 2 * Hour + i * 1_000L, costPico: i < 9 ? MillionDollars : i == 9 ? 300_000 * Money.PicoPerUsd : 1_234_567 + i,
                userId: "big", traceId: "trace-b"));
        spans.Add(Llm("c-0", "c-cheap", Day0 + 3 * Hour, costPico: 5 * Money.PicoPerUsd, userId: "small", traceId: "trace-c"));
        spans.Add(Llm("d-0", "d-cheap", Day0 + 4 * Hour, costPico: 2 * Money.PicoPerUsd, userId: "small", traceId: "trace-d"));
        spans.Add(Llm("e-0", "e-unpriced", Day0 + 5 * Hour, costPico: null, userId: "small", traceId: "trace-e"));
        return spans;
    }

    /// <summary>A session's or a trace's cost recomputed from the raw spans, in 128 bits.</summary>
    private static Int128 CostOf(IEnumerable<SpanRecord> calls)
    {
        Int128 total = 0;
        foreach (var call in calls)
            total += call.CostPico ?? 0;
        return total;
    }

    private static Dictionary<string, Int128> SessionCosts(List<SpanRecord> spans) =>
        spans.Where(s => s.CostPico is not null).GroupBy(s => s.SessionId!).ToDictionary(g => g.Key, g => CostOf(g), StringComparer.Ordinal);

    [Fact]
    public async Task SessionsPastTheBound_ListDetailAndTraces_AreExact()
    {
        var spans = Whales();
        await WriteAsync(ProjectId, spans);
        var expected = SessionCosts(spans);
        Assert.Equal(10 * (Int128)MillionDollars + 7, expected["a-whale"]);
        Assert.True(expected["b-whale"] > long.MaxValue, "b-whale is past the 64-bit bound");

        var list = await Store.Sessions.ListAsync(ProjectId, new SessionQuery { Limit = 10 });
        foreach (var session in list.Items.Where(s => !s.CostUnknown))
            Assert.True(expected[session.SessionId] == session.CostPico, $"list item {session.SessionId}: {session.CostPico}, expected {expected[session.SessionId]}");
        foreach (var id in new[] { "a-whale", "b-whale" })
        {
            var detail = await Store.Sessions.GetAsync(ProjectId, id, withPayloads: false);
            Assert.True(expected[id] == detail!.Session.CostPico, $"detail {id}: {detail.Session.CostPico}, expected {expected[id]}");
        }

        var traces = await Store.Traces.ListAsync(ProjectId, new TraceQuery { Limit = 10 });
        foreach (var trace in traces.Items)
        {
            var own = spans.Where(s => s.TraceId == trace.TraceId).ToList();
            Assert.True(CostOf(own) == trace.CostPico, $"trace row {trace.TraceId}: {trace.CostPico}, expected {CostOf(own)}");
        }
        var traceDetail = await Store.Traces.GetAsync(ProjectId, "trace-a");
        Assert.Equal(expected["a-whale"], TraceCost.Of(traceDetail!.Spans).CostPico);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SessionsPastTheBound_SortByCost_IsExactAcrossPages(bool descending)
    {
        var spans = Whales();
        await WriteAsync(ProjectId, spans);
        var costs = SessionCosts(spans);
        var key = (KeyValuePair<string, Int128> c) => (c.Value, c.Key);
        // Known costs in cost order (ties by id), the unknown one above all of them (first descending, last ascending).
        var known = descending ? costs.OrderByDescending(key).Select(c => c.Key) : costs.OrderBy(key).Select(c => c.Key);
        var expected = descending ? known.Prepend("e-unpriced").ToList() : known.Append("e-unpriced").ToList();

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            // Pages of two: each cursor between the whales carries a cost past the bound.
            SessionCursor? after = null;
            if (cursor is not null)
                Assert.True(SessionCursor.TryDecode(cursor, SessionSort.CostUsd, descending, out after, out var error), error);
            var page = await Store.Sessions.ListAsync(ProjectId, new SessionQuery { Sort = SessionSort.CostUsd, Descending = descending, Limit = 2, After = after });
            seen.AddRange(page.Items.Select(s => s.SessionId));
            cursor = page.NextCursor;
        } while (cursor is not null && seen.Count <= expected.Count);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task SessionsPastTheBound_UserTotalsStatsAndTrends_AreExact()
    {
        var spans = Whales();
        await WriteAsync(ProjectId, spans);
        var costs = SessionCosts(spans);
        Int128 big = costs["a-whale"] + costs["b-whale"], small = costs["c-cheap"] + costs["d-cheap"];

        var byUser = (await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByUser(), SessionFilter.None, 10)).ToDictionary(g => g.Group!);
        Assert.Equal(big, byUser["big"].TotalCostPico);
        Assert.Equal(small, byUser["small"].TotalCostPico);

        // Priced sessions sorted: $2, $5, b-whale, a-whale — median is the mean of $5 and b-whale, p95 is a-whale.
        var stats = await Store.Sessions.StatsAsync(ProjectId, SessionFilter.None);
        Assert.Equal(big + small, stats.TotalCostPico);
        Assert.Equal(4, stats.PricedSessions);
        Assert.Equal(Percentiles.Median((IReadOnlyList<Int128>)[costs["d-cheap"], costs["c-cheap"], costs["b-whale"], costs["a-whale"]]), stats.MedianCostPico);
        Assert.True(stats.MedianCostPico > 4 * (Int128)MillionDollars, $"median {stats.MedianCostPico}");
        Assert.Equal(costs["a-whale"], stats.P95CostPico);
        Assert.Equal((double)(big + small) / 4, stats.AvgCostPico, 1e-9 * (double)(big + small));

        if (Store.SessionKinds is null)
            return;
        var trends = await Store.SessionKinds.TimeseriesAsync(ProjectId, SessionFilter.None, null, new TimeBuckets(BucketSize.Day, Day0, Day0 + Day), 10);
        var bucket = Assert.Single(Assert.Single(trends.Series).Buckets);
        Assert.Equal(big + small, bucket.CostPico);
        Assert.Equal(stats.MedianCostPico, bucket.MedianCostPico);
        Assert.Equal(costs["a-whale"], bucket.P95CostPico);
    }
}
