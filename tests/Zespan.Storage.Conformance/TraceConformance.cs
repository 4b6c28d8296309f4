using Zespan.Core.Spans;
using Zespan.Core.Traces;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>The traces list (figures, order, filters, paging) and a trace's full span list.</summary>
public abstract partial class TraceConformance(IStoreFactory factory) : ConformanceSuite(factory)
{
    private static List<SpanRecord> Seed()
    {
        var spans = new List<SpanRecord>();
        for (var t = 0; t < 12; t++)
        {
            var trace = $"t{t:00}";
            var start = Day0 + (t % 6) * Hour; // pairs of traces start at the same time
            spans.Add(Work($"{trace}-root", trace, start, latencyMs: 10_000, name: $"request-{t}"));
            spans.Add(Llm($"{trace}-a", t % 4 == 0 ? null : $"sess{t % 3}", start + 100, parentId: $"{trace}-root", traceId: trace,
                userId: t % 2 == 0 ? "even" : null, model: t % 3 == 0 ? "gpt-4o-mini" : "gpt-4o", costPico: t % 5 == 0 ? null : 1_000 * t));
            spans.Add(Llm($"{trace}-b", $"sess{t % 3}", start + 200, parentId: $"{trace}-root", traceId: trace, userId: "late",
                status: t % 3 == 1 ? SpanStatus.Error : SpanStatus.Ok, inputTokens: t, outputTokens: 1));
        }
        return spans;
    }

    [Fact]
    public async Task List_Figures_MatchARecomputationFromSpans()
    {
        var spans = Seed();
        await WriteAsync(ProjectId, spans.AsEnumerable().Reverse());
        var expected = ReferenceFigures.Traces(spans);
        var page = await Store.Traces.ListAsync(ProjectId, new TraceQuery { Limit = 100 });
        Assert.Equal(12, page.TotalCount);
        Assert.Equal(expected.Values.OrderByDescending(t => t.StartedMs).ThenByDescending(t => t.TraceId, StringComparer.Ordinal).Select(t => t.TraceId),
            page.Items.Select(t => t.TraceId));
        foreach (var row in page.Items)
            Compare.Trace(expected[row.TraceId], row);
    }

    [Fact]
    public async Task List_RootAndUser_ComeFromTheEarliestSpans_EvenWhenTheyArriveLast()
    {
        await WriteAsync(Llm("child", "s", Day0 + 500, parentId: "root", userId: "u-child", traceId: "t"));
        await WriteAsync(Work("root", "t", Day0, name: "agent-run") with { UserId = "u-root" });
        var row = Assert.Single((await Store.Traces.ListAsync(ProjectId, new TraceQuery())).Items);
        Assert.Equal(("agent-run", "u-root", "s", Day0), (row.RootName, row.UserId, row.SessionId, row.StartedMs));
    }

    [Fact]
    public async Task List_CursorPaging_ReachesEveryTraceExactlyOnce()
    {
        var spans = Seed();
        await WriteAsync(ProjectId, spans);
        var seen = new List<string>();
        var query = new TraceQuery { Limit = 5 };
        while (true)
        {
            var page = await Store.Traces.ListAsync(ProjectId, query);
            seen.AddRange(page.Items.Select(t => t.TraceId));
            Assert.Equal(12, page.TotalCount);
            if (page.NextCursor is null)
                break;
            Assert.True(TraceCursor.TryDecode(page.NextCursor, out var after));
            query = query with { After = after };
        }
        Assert.Equal(12, seen.Count);
        Assert.Equal(12, seen.Distinct().Count());
    }

    /// <summary>
    /// One trace per page, newest or oldest first, with and without a model, a session or a user: pairs of traces start
    /// on the same millisecond, so the cursor must carry the trace id across the tie (on SQLite the model path walks
    /// trace_models, the session path the session's spans, the user path traces_by_user).
    /// </summary>
    [Theory]
    [InlineData(null, null, null, false)]
    [InlineData(null, null, null, true)]
    [InlineData("gpt-4o-mini", null, null, false)]
    [InlineData("gpt-4o-mini", null, null, true)]
    [InlineData(null, "sess1", null, false)]
    [InlineData("gpt-4o", "sess1", null, true)]
    [InlineData(null, null, "late", false)]
    [InlineData("gpt-4o", null, "late", true)]
    public async Task List_CursorPaging_KeepsTheOrderAcrossTies(string? model, string? sessionId, string? userId, bool oldestFirst)
    {
        var spans = Seed();
        await WriteAsync(ProjectId, spans);
        var traces = ReferenceFigures.Traces(spans).Values
            .Where(t => model is null || spans.Any(s => s.TraceId == t.TraceId && s.Model == model))
            .Where(t => sessionId is null || t.SessionId == sessionId)
            .Where(t => userId is null || t.UserId == userId).ToList();
        var expected = (oldestFirst
                ? traces.OrderBy(t => t.StartedMs).ThenBy(t => t.TraceId, StringComparer.Ordinal)
                : traces.OrderByDescending(t => t.StartedMs).ThenByDescending(t => t.TraceId, StringComparer.Ordinal))
            .Select(t => t.TraceId).ToList();
        var seen = new List<string>();
        Assert.True(traces.Count > 2);
        var query = new TraceQuery { Limit = 1, Model = model, SessionId = sessionId, UserId = userId, OldestFirst = oldestFirst };
        while (true)
        {
            var page = await Store.Traces.ListAsync(ProjectId, query);
            seen.AddRange(page.Items.Select(t => t.TraceId));
            Assert.Equal(expected.Count, page.TotalCount);
            if (page.NextCursor is null)
                break;
            Assert.True(TraceCursor.TryDecode(page.NextCursor, out var after));
            query = query with { After = after };
        }
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task List_Filters_SelectMatchingTraces()
    {
        var spans = Seed();
        await WriteAsync(ProjectId, spans);
        var expected = ReferenceFigures.Traces(spans).Values.ToList();

        async Task Check(TraceQuery query, Func<ExpectedTrace, bool> predicate)
        {
            var page = await Store.Traces.ListAsync(ProjectId, query with { Limit = 100 });
            var want = expected.Where(predicate).Select(t => t.TraceId).Order(StringComparer.Ordinal).ToList();
            Assert.NotEmpty(want);
            Assert.Equal(want, page.Items.Select(t => t.TraceId).Order(StringComparer.Ordinal).ToList());
            Assert.Equal(want.Count, page.TotalCount);
        }

        await Check(new TraceQuery { FromMs = Day0 + 2 * Hour, ToMs = Day0 + 4 * Hour }, t => t.StartedMs >= Day0 + 2 * Hour && t.StartedMs < Day0 + 4 * Hour);
        await Check(new TraceQuery { UserId = "even" }, t => t.UserId == "even");
        await Check(new TraceQuery { SessionId = "sess1" }, t => t.SessionId == "sess1");
        await Check(new TraceQuery { Status = SpanStatus.Error }, t => t.ErrorCount > 0);
        await Check(new TraceQuery { Status = SpanStatus.Ok }, t => t.ErrorCount == 0);
        var miniTraces = spans.Where(s => s.Model == "gpt-4o-mini").Select(s => s.TraceId).ToHashSet();
        await Check(new TraceQuery { Model = "gpt-4o-mini" }, t => miniTraces.Contains(t.TraceId));
        await Check(new TraceQuery { UserId = "even", Status = SpanStatus.Ok, Model = "gpt-4o" },
            t => t.UserId == "even" && t.ErrorCount == 0 && spans.Any(s => s.TraceId == t.TraceId && s.Model == "gpt-4o"));
    }

    [Fact]
    public async Task Detail_ListsEverySpanByStartTime_TiesBySpanId()
    {
        await WriteAsync(
            Llm("z", "s", Day0 + 100, traceId: "t", parentId: "root"),
            Llm("b", "s", Day0 + 100, traceId: "t", parentId: "root"),
            Work("root", "t", Day0),
            Llm("other", "s", Day0, traceId: "elsewhere"));
        var detail = (await Store.Traces.GetAsync(ProjectId, "t"))!;
        Assert.Equal("t", detail.TraceId);
        Assert.Equal(["root", "b", "z"], detail.Spans.Select(s => s.Id));
        Assert.Equal(SpanKind.Span, detail.Spans[0].Kind);
        Assert.Equal("root", detail.Spans[1].ParentId);
        Assert.Null(await Store.Traces.GetAsync(ProjectId, "missing"));
    }

    [Fact]
    public async Task Detail_SpanMovedToAnotherTrace_LeavesTheOldOne()
    {
        await WriteAsync(Llm("a", "s", Day0, traceId: "t1"), Llm("b", "s", Day0 + 1, traceId: "t1"));
        await WriteAsync(Llm("a", "s", Day0, traceId: "t2"));
        Assert.Equal(["b"], (await Store.Traces.GetAsync(ProjectId, "t1"))!.Spans.Select(s => s.Id));
        Assert.Equal(["a"], (await Store.Traces.GetAsync(ProjectId, "t2"))!.Spans.Select(s => s.Id));
        await WriteAsync(Llm("b", "s", Day0 + 1, traceId: "t2"));
        Assert.Null(await Store.Traces.GetAsync(ProjectId, "t1"));
        var page = await Store.Traces.ListAsync(ProjectId, new TraceQuery());
        Assert.Equal(("t2", 2), (Assert.Single(page.Items).TraceId, page.Items[0].SpanCount));
    }
}
