using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// One session and one trace past 2^63 picodollars ($9,223,372.04): their rows used to stop at that bound; they now
/// keep the exact cost in two parts (migration 150) through every way a row is written: the upsert of new calls, the
/// rebuild after a changed re-send, and the rebuild after retention deletes calls. Expected figures are n × $1,000,000.
/// </summary>
public sealed class TraceRebuildMoneyTests : IAsyncLifetime
{
    private const long MillionDollars = 1_000_000 * Money.PicoPerUsd;
    private SeededStore _store = null!;

    public async Task InitializeAsync() => _store = await SeededStore.CreateAsync(Plan.Free, "p");

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    private static SpanRecord Call(int i, long outputTokens = 50) =>
        TestSpans.Llm($"whale-{i}", "whale-conv", TestSpans.Day0 + i * 1_000L, outputTokens: outputTokens, costPico: MillionDollars, traceId: "whale", userId: "whale");

    [Fact]
    public async Task OneSessionAndTraceOverTheBound_StayExact_ThroughUpsertResendAndRebuild()
    {
        // Nine calls ($9M) fit in 64 bits; the tenth crosses alone in a later write (the upsert adds in two parts).
        await WriteAsync(Enumerable.Range(0, 9).Select(i => Call(i)));
        await WriteAsync([Call(9)]);
        await AssertCostAsync(10);
        await WriteAsync([Call(9)]); // an unchanged re-send changes nothing
        await AssertCostAsync(10);
        await WriteAsync([Call(9, outputTokens: 60)]); // a changed re-send rebuilds both rows from the stored spans
        await AssertCostAsync(10);
        await WriteAsync([Call(10)]);
        await AssertCostAsync(11);

        // Retention deletes the first call: rebuilt from the ten left.
        Assert.Equal(1, await _store.Storage.Retention.DeleteSpansStartedBeforeAsync(_store.Project, TestSpans.Day0 + 500, 100));
        await AssertCostAsync(10);
        // Down to eight calls: the rows are below the bound again, in one part.
        Assert.Equal(2, await _store.Storage.Retention.DeleteSpansStartedBeforeAsync(_store.Project, TestSpans.Day0 + 2_500, 100));
        await AssertCostAsync(8);
    }

    [Fact]
    public async Task SessionsOverTheBound_SortAfterEveryCheaperOne_BothWays()
    {
        await WriteAsync(Enumerable.Range(0, 10).Select(i => Call(i)));
        await WriteAsync([TestSpans.Llm("small", "small-conv", TestSpans.Day0, costPico: 5 * MillionDollars, traceId: "small")]);
        await WriteAsync([TestSpans.Llm("near", "near-conv", TestSpans.Day0, costPico: 9 * MillionDollars, traceId: "near")]);
        var ascending = await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Sort = SessionSort.CostUsd, Descending = false, Limit = 2 });
        Assert.Equal(["small-conv", "near-conv"], ascending.Items.Select(s => s.SessionId));
        var rest = await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Sort = SessionSort.CostUsd, Descending = false, Limit = 2, After = SessionCursor.Of(ascending.Items[^1], SessionSort.CostUsd, false) });
        Assert.Equal(10 * (Int128)MillionDollars, Assert.Single(rest.Items).CostPico);
        var descending = await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Sort = SessionSort.CostUsd, Descending = true });
        Assert.Equal(["whale-conv", "near-conv", "small-conv"], descending.Items.Select(s => s.SessionId));
    }

    private async Task AssertCostAsync(int millions)
    {
        var expected = millions * (Int128)MillionDollars;
        var trace = Assert.Single((await _store.Storage.Traces.ListAsync(_store.Project, new TraceQuery())).Items);
        Assert.Equal((millions, expected), (trace.LlmCalls, trace.CostPico));
        var session = Assert.Single((await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery())).Items);
        Assert.Equal((millions, expected), (session.Turns, session.CostPico));
        Assert.Equal(expected, (await _store.Storage.Sessions.GetAsync(_store.Project, "whale-conv"))!.Session.CostPico);
        foreach (var filter in new[] { new SessionFilter(), new SessionFilter { FromMs = TestSpans.Day0 - 3_600_000, ToMs = TestSpans.Day0 + 3_600_000 }, new SessionFilter { UserId = "whale" } })
        {
            Assert.Equal(expected, (await _store.Storage.Sessions.StatsAsync(_store.Project, filter)).TotalCostPico);
            Assert.Equal(expected, Assert.Single(await _store.Storage.Sessions.BreakdownAsync(_store.Project, new SessionGrouping.ByUser(), filter, 10)).TotalCostPico);
        }
    }

    private Task WriteAsync(IEnumerable<SpanRecord> spans) => _store.Storage.SpanWriter.WriteAsync([.. spans.Select(s => new ProjectSpan(_store.Project, s))]);
}
