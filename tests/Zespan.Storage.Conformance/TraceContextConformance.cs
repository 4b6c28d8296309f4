using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Traces;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>
/// Trace-context inheritance (OTLP spans, <see cref="SpanRecord.InheritsTraceContext"/>): a span without a session or
/// user takes its nearest ancestor's, in whatever order the trace's spans arrive, and every figure follows.
/// </summary>
public abstract class TraceContextConformance(IStoreFactory factory) : ConformanceSuite(factory)
{
    private static SpanRecord Marked(SpanRecord span) => span with { InheritsTraceContext = true };

    private static SpanRecord Root(string id, string traceId, string? sessionId, string? userId) =>
        Marked(Work(id, traceId, Day0, latencyMs: 10_000, name: "POST /chat") with { SessionId = sessionId, UserId = userId });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task EachLevelInItsOwnWrite_InEitherOrder_TheCallsTakeTheRootsSessionAndUser(bool childrenFirst)
    {
        var root = Root("root", "t1", "s1", "u1");
        var agent = Marked(Work("agent", "t1", Day0 + 10, parentId: "root", name: "invoke_agent"));
        SpanRecord[] calls =
        [
            Marked(Llm("c1", null, Day0 + 20, inputTokens: 100, outputTokens: 10, costPico: 300, traceId: "t1", parentId: "agent")),
            Marked(Llm("c2", null, Day0 + 600, inputTokens: 200, outputTokens: 20, costPico: 700, traceId: "t1", parentId: "agent")),
        ];
        SpanRecord[][] writes = childrenFirst ? [calls, [agent], [root]] : [[root], [agent], calls];
        foreach (var write in writes)
            await WriteAsync(write);

        var session = (await Store.Sessions.GetAsync(ProjectId, "s1"))!;
        Assert.Equal((2, 300L, (Int128)1_000, "u1"), (session.Session.Turns, session.Session.InputTokens, session.Session.CostPico, session.Session.UserId));
        Assert.Equal(["c1", "c2"], session.Timeline.Select(t => t.SpanId));
        Assert.Equal(1, (await Store.Sessions.ListAsync(ProjectId, new SessionQuery())).TotalCount);
        var byUser = Assert.Single(await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByUser(), SessionFilter.None, 10));
        Assert.Equal(("u1", 1L, (Int128)1_000), (byUser.Group, byUser.Sessions, byUser.TotalCostPico));
        var trace = Assert.Single((await Store.Traces.ListAsync(ProjectId, new TraceQuery())).Items);
        Assert.Equal(("s1", "u1", 2, (Int128)1_000), (trace.SessionId, trace.UserId, trace.LlmCalls, trace.CostPico));
        var stored = (await Store.Traces.GetAsync(ProjectId, "t1"))!.Spans.ToDictionary(s => s.Id);
        Assert.All(stored.Values, s => Assert.Equal(("s1", "u1"), (s.SessionId, s.UserId)));
    }

    [Fact]
    public async Task ChildrenBeforeTheirParentInOneWrite_TakeItsContext()
    {
        await WriteAsync(
            Marked(Llm("c1", null, Day0 + 20, costPico: 300, traceId: "t1", parentId: "agent")),
            Marked(Work("agent", "t1", Day0 + 10, parentId: "root")),
            Root("root", "t1", "s1", "u1"));

        var session = (await Store.Sessions.GetAsync(ProjectId, "s1"))!.Session;
        Assert.Equal((1, (Int128)300, "u1"), (session.Turns, session.CostPico, session.UserId));
    }

    [Fact]
    public async Task ASpanKeepsItsOwnSession_TakesOnlyWhatItLacks_AndPassesItsOwnOn()
    {
        // The agent has a session of its own and no user; the root arrives last with another session and a user.
        await WriteAsync(Marked(Llm("c1", null, Day0 + 20, costPico: 300, traceId: "t1", parentId: "agent")));
        await WriteAsync(Marked(Work("agent", "t1", Day0 + 10, parentId: "root") with { SessionId = "s-agent" }));
        await WriteAsync(Root("root", "t1", "s-root", "u1"));

        var session = (await Store.Sessions.GetAsync(ProjectId, "s-agent"))!.Session;
        Assert.Equal((1, "u1"), (session.Turns, session.UserId));
        Assert.Null(await Store.Sessions.GetAsync(ProjectId, "s-root")); // the root is no call: its session has none
        var stored = (await Store.Traces.GetAsync(ProjectId, "t1"))!.Spans.ToDictionary(s => s.Id);
        Assert.Equal(("s-agent", "u1"), (stored["c1"].SessionId, stored["c1"].UserId));
        Assert.Equal(("s-agent", "u1"), (stored["agent"].SessionId, stored["agent"].UserId));
    }

    [Fact]
    public async Task SpansNotMarked_KeepWhatTheyWereSent()
    {
        // SDK spans name their own session and user; a parent's are not theirs.
        await WriteAsync(Llm("c1", null, Day0 + 20, costPico: 300, traceId: "t1", parentId: "root"));
        await WriteAsync(Work("root", "t1", Day0, parentId: null) with { SessionId = "s1", UserId = "u1" });
        await WriteAsync(Llm("c2", null, Day0 + 30, costPico: 300, traceId: "t1", parentId: "root"));

        Assert.Null(await Store.Sessions.GetAsync(ProjectId, "s1"));
        var stored = (await Store.Traces.GetAsync(ProjectId, "t1"))!.Spans.ToDictionary(s => s.Id);
        Assert.Equal(((string?)null, (string?)null), (stored["c1"].SessionId, stored["c1"].UserId));
        Assert.Equal(((string?)null, (string?)null), (stored["c2"].SessionId, stored["c2"].UserId));
    }

    [Fact]
    public async Task AChainOfParents_ThatComesBackOnItself_IsStoredAsSent()
    {
        // Hostile input: a cycle of parents with no context anywhere, and a long chain, in one write.
        var chain = Enumerable.Range(0, 3_000).Select(i => Marked(Work($"n{i}", "t2", Day0 + i, parentId: $"n{i + 1}"))).ToList();
        await WriteAsync(
        [
            Marked(Llm("a", null, Day0, traceId: "t1", parentId: "b")),
            Marked(Llm("b", null, Day0 + 1, traceId: "t1", parentId: "a")),
            .. chain,
            Root("n3000", "t2", "s-chain", "u-chain"),
        ]);

        var stored = (await Store.Traces.GetAsync(ProjectId, "t1"))!.Spans;
        Assert.All(stored, s => Assert.Null(s.SessionId));
        Assert.Null(await Store.Sessions.GetAsync(ProjectId, "s-chain")); // the chain's spans are no calls, but took it:
        var bottom = (await Store.Traces.GetAsync(ProjectId, "t2"))!.Spans.Single(s => s.Id == "n0");
        Assert.Equal(("s-chain", "u-chain"), (bottom.SessionId, bottom.UserId));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(11)]
    [InlineData(2026)]
    public async Task RandomTrees_InRandomOrderAndWrites_WithReSends_EveryFigureMatchesRecomputation(int seed)
    {
        var random = new Random(seed);
        var spans = new List<SpanRecord>();
        for (var t = 0; t < 12; t++)
        {
            var traceId = $"trace-{seed}-{t}";
            var count = random.Next(2, 12);
            for (var i = 0; i < count; i++)
            {
                // Parents come from earlier spans of the trace, so the trees have no cycles; a few name a parent never sent.
                var parent = i == 0 ? null : random.NextDouble() < 0.1 ? $"{traceId}-missing" : $"{traceId}-{random.Next(i)}";
                var session = random.NextDouble() < (i == 0 ? 0.7 : 0.15) ? $"s{random.Next(6)}" : null;
                var user = random.NextDouble() < (i == 0 ? 0.6 : 0.15) ? $"u{random.Next(4)}" : null;
                var start = Day0 + random.NextInt64(2 * Day);
                var span = random.NextDouble() < 0.6
                    ? Llm($"{traceId}-{i}", session, start, inputTokens: random.Next(1, 500), outputTokens: random.Next(1, 100), costPico: random.Next(1, 9_000),
                        userId: user, traceId: traceId, parentId: parent)
                    : Work($"{traceId}-{i}", traceId, start, parentId: parent) with { SessionId = session, UserId = user };
                spans.Add(Marked(span));
            }
        }
        // Every span once, a fifth of them again unchanged (an exporter's retry), in random order and random writes.
        var events = spans.Concat(spans.Where(_ => random.NextDouble() < 0.2)).OrderBy(_ => random.Next()).ToList();
        for (var position = 0; position < events.Count;)
        {
            var size = random.Next(1, 12);
            await WriteAsync(events.Skip(position).Take(size).ToArray());
            position += size;
        }

        var expected = Expected(spans);
        var context = $"seed {seed}";
        var sessions = ReferenceFigures.Sessions(expected);
        var page = await Store.Sessions.ListAsync(ProjectId, new SessionQuery { Limit = 500 });
        Assert.Equal(sessions.Keys.Order(StringComparer.Ordinal), page.Items.Select(s => s.SessionId).Order(StringComparer.Ordinal));
        foreach (var row in page.Items)
            Compare.Session(sessions[row.SessionId], row, context);
        var traces = ReferenceFigures.Traces(expected);
        foreach (var row in (await Store.Traces.ListAsync(ProjectId, new TraceQuery { Limit = 500 })).Items)
            Compare.Trace(traces[row.TraceId], row, context);
        Compare.Breakdown(ReferenceFigures.Breakdown(expected, "userId"), await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByUser(), SessionFilter.None, 500),
            context + " by user");
        foreach (var span in expected.Where((_, i) => i % 5 == 0))
        {
            var stored = (await Store.Traces.GetAsync(ProjectId, span.TraceId))!.Spans.Single(s => s.Id == span.Id);
            Assert.True((span.SessionId, span.UserId) == (stored.SessionId, stored.UserId),
                $"{context}: span {span.Id} stored ({stored.SessionId}, {stored.UserId}), expected ({span.SessionId}, {span.UserId})");
        }
    }

    /// <summary>Each span with what it lacks taken from its ancestors, nearest first: the definition, walked here on its own.</summary>
    private static List<SpanRecord> Expected(List<SpanRecord> spans)
    {
        var byId = spans.ToDictionary(s => s.Id);
        return spans.Select(span =>
        {
            var (session, user) = (span.SessionId, span.UserId);
            for (var parent = span.ParentId; parent is not null && byId.TryGetValue(parent, out var ancestor); parent = ancestor.ParentId)
            {
                session ??= ancestor.SessionId;
                user ??= ancestor.UserId;
            }
            return span with { SessionId = session, UserId = user };
        }).ToList();
    }
}
