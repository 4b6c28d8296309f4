using Zespan.Core;
using Zespan.Core.Pricing;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Traces;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>Project isolation of telemetry. Prices, keys and organisations: <see cref="ControlPlaneConformance"/>.</summary>
public abstract class ProjectConformance(IStoreFactory factory) : ConformanceSuite(factory)
{
    [Fact]
    public async Task Projects_NeverSeeEachOthersData_EvenWithTheSameIds()
    {
        var other = await NewProjectAsync("Other");
        // Same span, session, trace and user ids in both projects, different figures.
        await WriteAsync(Llm("a", "s", Day0, userId: "u", inputTokens: 10, costPico: 1, model: "gpt-4o").WithTags("mine"));
        await WriteAsync(other, [Llm("a", "s", Day0 + Hour, userId: "u", inputTokens: 999, costPico: 9_999, model: "gpt-4o-mini").WithTags("theirs"),
                                 Llm("b", "only-other", Day0, traceId: "other-trace")]);

        var mine = (await Store.Sessions.GetAsync(ProjectId, "s"))!;
        Assert.Equal((10L, 1L, 1), (mine.Session.InputTokens, mine.Session.CostPico, mine.Session.Turns));
        Assert.Null(await Store.Sessions.GetAsync(ProjectId, "only-other"));
        var list = await Store.Sessions.ListAsync(ProjectId, new SessionQuery { Filter = new SessionFilter { UserId = "u" } });
        Assert.Equal(1, list.TotalCount);
        Assert.Equal(1, (await Store.Sessions.ListAsync(ProjectId, new SessionQuery())).TotalCount);
        Assert.Equal(1, (await Store.Sessions.StatsAsync(ProjectId, SessionFilter.None)).Sessions);
        Assert.Equal(["mine"], (await Store.Sessions.BreakdownAsync(ProjectId, new SessionGrouping.ByTag(), SessionFilter.None, 10)).Select(g => g.Group));
        Assert.Equal(["s"], (await Store.Sessions.TokenOutliersAsync(ProjectId, SessionFilter.None, 1.0, 10)).Select(o => o.Session.SessionId));

        var trace = Assert.Single((await Store.Traces.GetAsync(ProjectId, "trace-1"))!.Spans);
        Assert.Equal(10, trace.Usage.InputTokens);
        Assert.Null(await Store.Traces.GetAsync(ProjectId, "other-trace"));
        Assert.Equal(1, (await Store.Traces.ListAsync(ProjectId, new TraceQuery())).TotalCount);

        var models = await Store.Costs.ByModelAsync(ProjectId, TimeRange.All);
        Assert.Equal(("gpt-4o", 1L, 1L), (Assert.Single(models).Model, models[0].Calls, models[0].CostPico));
        var buckets = await Store.Costs.OverTimeAsync(ProjectId, new TimeRange(Day0, Day0 + Day), Day);
        Assert.Equal(1, Assert.Single(buckets).Calls);

        // And the other project still has its own figures.
        Assert.Equal(9_999, (await Store.Sessions.GetAsync(other, "s"))!.Session.CostPico);
        Assert.Equal(2, (await Store.Costs.ByModelAsync(other, TimeRange.All)).Sum(m => m.Calls));
    }
}
