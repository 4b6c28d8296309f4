using Zespan.Core;
using Zespan.Core.Sessions;
using Zespan.Core.Traces;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>
/// Retention: deleting spans started before a cutoff removes exactly those, in batches of any size, and leaves every
/// figure (sessions, traces, per-model costs) equal to what the remaining spans alone would give.
/// </summary>
public abstract class RetentionConformance(IStoreFactory factory) : ConformanceSuite(factory)
{
    private static readonly long Cutoff = Day0 + 10 * Day;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1_000)]
    public async Task DeletesExactlyTheOldSpans_AndRecomputesFiguresFromWhatRemains(int batchSize)
    {
        var other = await NewProjectAsync("Other");
        await WriteAsync(
            // A session that straddles the cutoff: its old turn goes, its figures become those of the new turn alone.
            Llm("old-1", "mixed", Day0, latencyMs: 1_000, inputTokens: 5_000, outputTokens: 100, costPico: 7_000_000, userId: "early", traceId: "t-old"),
            Llm("new-1", "mixed", Cutoff + Hour, latencyMs: 2_000, inputTokens: 700, outputTokens: 300, costPico: 3_000_000, userId: "late",
                traceId: "t-new", status: Core.Spans.SpanStatus.Error),
            // A session entirely before the cutoff disappears, with its trace and its child span.
            Llm("old-2", "gone", Day0 + Hour, inputTokens: 100, outputTokens: 10, costPico: 500_000, traceId: "t-gone", model: "gpt-4o-mini"),
            Work("old-child", "t-gone", Day0 + Hour + 10, parentId: "old-2"),
            // Exactly at the cutoff: kept (only spans started before it go).
            Llm("edge", "edge", Cutoff, inputTokens: 1, outputTokens: 1, costPico: 1_000, traceId: "t-edge"));
        await WriteAsync(other, [Llm("other-old", "other", Day0, traceId: "t-other")]);

        Assert.Equal(3, await Store.Retention.DeleteSpansStartedBeforeAsync(ProjectId, Cutoff, batchSize));
        Assert.Equal(0, await Store.Retention.DeleteSpansStartedBeforeAsync(ProjectId, Cutoff, batchSize));

        var mixed = (await Store.Sessions.GetAsync(ProjectId, "mixed"))!.Session;
        Assert.Equal(("late", 1, 3_000_000L, 700L, 300L, 1, 2_000L), (mixed.UserId, mixed.Turns, mixed.CostPico, mixed.InputTokens, mixed.OutputTokens, mixed.ErrorCount, mixed.LatencySumMs));
        Assert.Equal((Cutoff + Hour, Cutoff + Hour + 2_000), (mixed.StartedMs, mixed.EndedMs));
        Assert.Null(await Store.Sessions.GetAsync(ProjectId, "gone"));
        Assert.Null(await Store.Traces.GetAsync(ProjectId, "t-gone"));
        Assert.Null(await Store.Traces.GetAsync(ProjectId, "t-old"));
        Assert.NotNull(await Store.Traces.GetAsync(ProjectId, "t-edge"));

        var list = await Store.Sessions.ListAsync(ProjectId, new SessionQuery());
        Assert.Equal(["edge", "mixed"], list.Items.Select(s => s.SessionId).Order());
        Assert.Equal(2, (await Store.Traces.ListAsync(ProjectId, new TraceQuery())).TotalCount);
        var stats = await Store.Sessions.StatsAsync(ProjectId, SessionFilter.None);
        Assert.Equal(2, stats.Sessions);

        var models = await Store.Costs.ByModelAsync(ProjectId, TimeRange.All);
        var gpt4o = Assert.Single(models);
        Assert.Equal(("gpt-4o", 2L, 3_001_000L, 701L, 301L, 1L), (gpt4o.Model, gpt4o.Calls, gpt4o.CostPico, gpt4o.InputTokens, gpt4o.OutputTokens, gpt4o.Errors));
        Assert.Equal(0, (await Store.Costs.OverTimeAsync(ProjectId, new TimeRange(Day0, Day0 + Day), Day)).Sum(b => b.Calls));

        // The other project's old span is not this project's to delete.
        Assert.NotNull(await Store.Sessions.GetAsync(other, "other"));
    }

    [Fact]
    public async Task DataScope_IsStableForOneStore()
    {
        var first = await Store.Retention.DataScopeAsync();
        Assert.False(string.IsNullOrWhiteSpace(first));
        Assert.Equal(first, await Store.Retention.DataScopeAsync());
    }
}
