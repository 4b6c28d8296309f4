using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>Cost per conversation (stats), breakdowns by user, tag and metadata, and token outliers.</summary>
public abstract class SessionAnalyticsConformance(IStoreFactory factory) : ConformanceSuite(factory)
{
    [Fact]
    public async Task Stats_FollowTheDocumentedDefinitions()
    {
        // Session costs 1000, 2000, ..., 10000 (ten priced sessions), one all-unpriced session, one half-priced session.
        var spans = new List<SpanRecord>();
        for (var i = 1; i <= 10; i++)
            spans.Add(Llm($"p{i}", $"s{i:00}", Day0 + i * Hour, costPico: i * 1_000, status: i == 4 ? SpanStatus.Error : SpanStatus.Ok));
        spans.Add(Llm("u1", "unpriced", Day0, costPico: null));
        spans.Add(Llm("u2", "unpriced", Day0 + 1, costPico: null));
        spans.Add(Llm("h1", "half", Day0 + 2, costPico: 500));
        spans.Add(Llm("h2", "half", Day0 + 3, costPico: null, status: SpanStatus.Error));
        await WriteAsync(spans.ToArray());

        var stats = await Store.Sessions.StatsAsync(ProjectId, SessionFilter.None);
        Assert.Equal(12, stats.Sessions);
        Assert.Equal(55_500, stats.TotalCostPico);
        // Average, median and p95 over the 11 sessions with a known cost: 500, 1000, ..., 10000.
        var priced = new List<long> { 500, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000 };
        Assert.Equal(55_500 / 11.0, stats.AvgCostPico, 6);
        Assert.Equal(ReferenceFigures.Median(priced), stats.MedianCostPico);
        Assert.Equal(5_000, stats.MedianCostPico);
        Assert.Equal(10_000, stats.P95CostPico); // nearest rank: ceil(0.95 × 11) = 11th
        Assert.Equal(14 / 12.0, stats.AvgTurns, 9);
        Assert.Equal(14, stats.TotalTurns);
        Assert.Equal(2, stats.SessionsWithErrors);
        Assert.Equal(3, stats.UnpricedCalls);

        // With an even count the median averages the two middle values, rounding half away from zero.
        var early = await Store.Sessions.StatsAsync(ProjectId, new SessionFilter { FromMs = Day0 + Hour, ToMs = Day0 + 5 * Hour });
        Assert.Equal(4, early.Sessions);
        Assert.Equal(2_500, early.MedianCostPico);
        Assert.Equal(4_000, early.P95CostPico);

        var none = await Store.Sessions.StatsAsync(ProjectId, new SessionFilter { UserId = "nobody" });
        Assert.Equal((0L, 0L, 0L, 0L), (none.Sessions, none.TotalCostPico, none.MedianCostPico, none.P95CostPico));
    }

    [Fact]
    public async Task Breakdown_ByUser_GroupsSessionsByTheirUser()
    {
        await WriteAsync(
            Llm("a", "s1", Day0, costPico: 100, userId: "ann", inputTokens: 10, outputTokens: 1),
            Llm("b", "s2", Day0, costPico: 300, userId: "ann", inputTokens: 20, outputTokens: 2),
            Llm("c", "s2", Day0 + 1, costPico: 50, userId: "bob"),
            Llm("d", "s3", Day0, costPico: 1_000, userId: "bob", inputTokens: 1, outputTokens: 1),
            Llm("e", "s4", Day0, costPico: 7));
        var groups = await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByUser(), SessionFilter.None, 50);
        Assert.Equal([("bob", 1L, 1_000L, 1L, 2L), ("ann", 2L, 450L, 3L, 183L), (null, 1L, 7L, 1L, 150L)],
            groups.Select(g => (g.Group, g.Sessions, g.TotalCostPico, g.Turns, g.TotalTokens)));
        Assert.Equal(225, groups[1].AvgCostPico);

        var limited = await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByUser(), SessionFilter.None, 1);
        Assert.Equal("bob", Assert.Single(limited).Group);
    }

    [Fact]
    public async Task Breakdown_TopGroups_CompareWholeCosts_WhenPicodollarsCarryPastADollar()
    {
        const long Dollar = 1_000_000_000_000;
        await WriteAsync(
            Llm("a", "s1", Day0, costPico: Dollar * 3 / 4, userId: "ann"), Llm("b", "s2", Day0, costPico: Dollar * 3 / 4, userId: "ann"), // $1.50 in rests alone
            Llm("c", "s3", Day0, costPico: Dollar * 14 / 10, userId: "bob"), // $1.40: more whole dollars than ann's
            Llm("d", "s4", Day0, costPico: Dollar * 14 / 10, userId: "dan"), // a tie with bob: the name decides
            Llm("e", "s5", Day0, costPico: null, userId: "amy"), // unknown: after every known cost
            Llm("f", "s6", Day0, costPico: 0, userId: "zoe"));
        string?[] order = ["ann", "bob", "dan", "zoe", "amy"];
        for (var limit = 1; limit <= order.Length; limit++)
        {
            var top = await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByUser(), SessionFilter.None, limit);
            Assert.Equal(order[..limit], top.Select(g => g.Group));
        }
        Assert.Equal(Dollar * 3 / 2, (await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByUser(), SessionFilter.None, 1))[0].TotalCostPico);
    }

    [Fact]
    public async Task Breakdown_ByTag_CountsASessionInEachOfItsTags()
    {
        await WriteAsync(
            Llm("a", "s1", Day0, costPico: 100).WithTags("beta", "eu"),
            Llm("b", "s1", Day0 + 1, costPico: 100).WithTags("beta"),
            Llm("c", "s2", Day0, costPico: 1_000).WithTags("eu"),
            Llm("d", "s3", Day0, costPico: 5),
            Work("w", "trace-1", Day0).WithTags("ignored") with { SessionId = "s3" });
        var groups = (await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByTag(), SessionFilter.None, 50))
            .ToDictionary(g => g.Group ?? "(none)", g => (g.Sessions, g.TotalCostPico, g.Turns));
        Assert.Equal(3, groups.Count);
        Assert.Equal((2L, 1_200L, 3L), groups["eu"]);
        Assert.Equal((1L, 200L, 2L), groups["beta"]);
        Assert.Equal((1L, 5L, 1L), groups["(none)"]);
    }

    [Fact]
    public async Task Breakdown_ByMetadataKey_GroupsByEachValue()
    {
        await WriteAsync(
            Llm("a", "s1", Day0, costPico: 100).WithMetadata(("feature", "chat")),
            Llm("b", "s2", Day0, costPico: 200).WithMetadata(("feature", "search"), ("tier", "pro")),
            Llm("c", "s2", Day0 + 1, costPico: 300).WithMetadata(("feature", "chat")),
            Llm("d", "s3", Day0, costPico: 9).WithMetadata(("tier", "free")));
        var groups = (await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByMetadata("feature"), SessionFilter.None, 50))
            .ToDictionary(g => g.Group ?? "(none)", g => (g.Sessions, g.TotalCostPico));
        Assert.Equal(3, groups.Count);
        Assert.Equal((2L, 600L), groups["chat"]);
        Assert.Equal((1L, 500L), groups["search"]);
        Assert.Equal((1L, 9L), groups["(none)"]);

        // Replacing a span removes its old value from the session's groups.
        await WriteAsync(Llm("b", "s2", Day0, costPico: 200).WithMetadata(("feature", "chat")));
        groups = (await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByMetadata("feature"), SessionFilter.None, 50))
            .ToDictionary(g => g.Group ?? "(none)", g => (g.Sessions, g.TotalCostPico));
        Assert.False(groups.ContainsKey("search"));
        Assert.Equal((2L, 600L), groups["chat"]);
    }

    [Fact]
    public async Task Breakdown_GroupOfOnlyUnpricedSessions_HasAnUnknownCost_NotZero()
    {
        // "free" is genuinely $0 (a priced call costing nothing); "mystery" sessions have no priced call at all.
        await WriteAsync(
            Llm("a", "s1", Day0 + 10 * Hour, costPico: 700, userId: "ann").WithTags("paid").WithMetadata(("feature", "chat")),
            Llm("b", "s2", Day0 + 10 * Hour, costPico: 0, userId: "bob").WithTags("free").WithMetadata(("feature", "free")),
            Llm("c", "s3", Day0 + 10 * Hour, costPico: null, userId: "cid").WithTags("mystery", "paid").WithMetadata(("feature", "mystery")),
            Llm("d", "s4", Day0 + 11 * Hour, costPico: null, userId: "cid").WithTags("mystery").WithMetadata(("feature", "mystery")),
            Llm("e", "s4", Day0 + 11 * Hour + 1, costPico: null, userId: "cid"));
        // All time, a window of whole hours and one cutting an hour: each path that answers a breakdown.
        foreach (var filter in new[] { SessionFilter.None, new SessionFilter { FromMs = Day0, ToMs = Day0 + Day }, new SessionFilter { FromMs = Day0 + 10 * Hour - 1, ToMs = Day0 + 11 * Hour + 5 } })
        {
            var byTag = await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByTag(), filter, 50);
            Assert.Equal([("paid", 2L, 700L, 1L, false), ("free", 1L, 0L, 0L, false), ("mystery", 2L, 0L, 2L, true)],
                byTag.Select(g => (g.Group, g.Sessions, (long)g.TotalCostPico, g.UnpricedSessions, g.CostUnknown)));
            var byFeature = await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByMetadata("feature"), filter, 50);
            Assert.Equal([("chat", false), ("free", false), ("mystery", true)], byFeature.Select(g => (g.Group, g.CostUnknown)));
            var byUser = await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByUser(), filter, 50);
            Assert.Equal([("ann", 0L, false), ("bob", 0L, false), ("cid", 2L, true)], byUser.Select(g => (g.Group, g.UnpricedSessions, g.CostUnknown)));
        }

        // A late priced call makes the session, and so its groups, priced again; a re-send changes nothing.
        await WriteAsync(Llm("f", "s4", Day0 + 11 * Hour + 2, costPico: 5, userId: "cid"));
        await WriteAsync(Llm("f", "s4", Day0 + 11 * Hour + 2, costPico: 5, userId: "cid"));
        var mystery = (await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByTag(), SessionFilter.None, 50)).Single(g => g.Group == "mystery");
        Assert.Equal((2L, 5L, 1L, false), (mystery.Sessions, (long)mystery.TotalCostPico, mystery.UnpricedSessions, mystery.CostUnknown));
        var cid = (await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByUser(), SessionFilter.None, 50)).Single(g => g.Group == "cid");
        Assert.Equal((1L, false), (cid.UnpricedSessions, cid.CostUnknown));
    }

    [Fact]
    public async Task Breakdown_RespectsTheFilter()
    {
        await WriteAsync(
            Llm("a", "s1", Day0, costPico: 100, userId: "ann"),
            Llm("b", "s2", Day0 + Day, costPico: 200, userId: "ann"));
        var groups = await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByUser(), new SessionFilter { FromMs = Day0 + Hour }, 50);
        Assert.Equal(("ann", 1L, 200L), (groups.Single().Group, groups.Single().Sessions, groups.Single().TotalCostPico));
    }

    [Fact]
    public async Task TokenOutliers_AreSessionsFarAboveTheMedianTokensPerTurn()
    {
        // Tokens per turn: s1..s5 = 110 (median), heavy = 2 turns of 1100 → 1100 per turn (10×), medium = 330 (3×).
        var spans = new List<SpanRecord>();
        for (var i = 1; i <= 5; i++)
            spans.Add(Llm($"n{i}", $"s{i}", Day0 + i, inputTokens: 100, outputTokens: 10));
        spans.Add(Llm("h1", "heavy", Day0, inputTokens: 1_000, outputTokens: 100));
        spans.Add(Llm("h2", "heavy", Day0 + 1, inputTokens: 1_000, outputTokens: 100));
        spans.Add(Llm("m1", "medium", Day0, inputTokens: 300, outputTokens: 30));
        await WriteAsync(spans.ToArray());

        var outliers = await Store.Sessions.TokenOutliersAsync(ProjectId, SessionFilter.None, 3.0, 10);
        Assert.Equal(["heavy", "medium"], outliers.Select(o => o.Session.SessionId));
        Assert.Equal(1_100, outliers[0].TokensPerTurn);
        Assert.Equal(110, outliers[0].ProjectMedianTokensPerTurn);
        Assert.Equal(10, outliers[0].Ratio, 9);
        Assert.Equal(["heavy"], (await Store.Sessions.TokenOutliersAsync(ProjectId, SessionFilter.None, 5.0, 10)).Select(o => o.Session.SessionId));
        Assert.Single(await Store.Sessions.TokenOutliersAsync(ProjectId, SessionFilter.None, 3.0, 1));
        Assert.Empty(await Store.Sessions.TokenOutliersAsync(ProjectId, new SessionFilter { UserId = "nobody" }, 3.0, 10));
    }
}
