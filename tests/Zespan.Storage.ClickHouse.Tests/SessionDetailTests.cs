using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// A session's detail takes its summary from the session's row in session_rows, not from its spans: these are the cases
/// where that row would differ from a recomputation if the writer or retention left it stale — a re-send that moves
/// calls out of the session in a batch that does not name it, retention cutting the session — and a new idle gap
/// threshold whose recompute has not run, where the row must not be used at all.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class SessionDetailTests(ClickHouseCluster cluster)
{
    private static long NewProject() => 5_000_000_000L + Random.Shared.Next(1_000_000);

    [Fact]
    public async Task TheSummary_AfterCallsMovedOutAndRetention_IsThatOfTheRemainingCalls()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        var cutoff = Day0 + 10 * Day;
        // Gaps of 10 minutes and more: idle under the default 5-minute threshold, so active time depends on which calls remain.
        var first = new[]
        {
            Llm("old", "kept", Day0, latencyMs: 4_000, inputTokens: 900, costPico: 70, userId: "early"),
            Llm("a", "kept", cutoff + Hour, latencyMs: 2_000, costPico: 10, userId: "late"),
            Llm("b", "kept", cutoff + Hour + 600_000, latencyMs: 3_000, costPico: null, status: SpanStatus.Error),
            Llm("c", "kept", cutoff + Hour + 1_800_000, latencyMs: 1_000, outputTokens: 7, costPico: 40),
            Llm("d", "kept", cutoff + Hour + 1_900_000, latencyMs: 1_000, costPico: 5),
        };
        await backend.SpanWriter.WriteAsync(first.Select(s => new ProjectSpan(project, s)).ToList());
        Compare.Session(ReferenceFigures.Sessions(first)["kept"], (await backend.Sessions.GetAsync(project, "kept"))!.Session, "before");

        // Re-sends that move two calls to another session, each batch naming only that session.
        var moved = new[] { first[2] with { SessionId = "elsewhere" }, first[3] with { SessionId = "elsewhere", Usage = new TokenUsage(100, 0, 0, 0) } };
        foreach (var move in moved)
            await backend.SpanWriter.WriteAsync([new ProjectSpan(project, move)]);
        var remaining = new[] { first[0], first[1], first[4], moved[0], moved[1] };
        await AssertDetailAsync(backend, project, remaining, "after the moves");

        // Retention removes the call before the cutoff: the summary is that of the two calls left.
        Assert.Equal(1, await backend.Retention.DeleteSpansStartedBeforeAsync(project, cutoff, 1_000));
        await AssertDetailAsync(backend, project, remaining.Where(s => s.StartMs >= cutoff).ToList(), "after retention");

        // Retention removes the rest: no detail, as no call is left.
        Assert.Equal(4, await backend.Retention.DeleteSpansStartedBeforeAsync(project, cutoff + Day, 1_000));
        Assert.Null(await backend.Sessions.GetAsync(project, "kept"));
        Assert.Null(await backend.Sessions.GetAsync(project, "elsewhere"));
    }

    [Fact]
    public async Task ANewThresholdNotYetApplied_TheSummaryFollowsTheRecordedOne_AsTheSpansGive()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        // Calls 40 s and 10 min apart: one idle gap under the default 5 minutes, two under 30 s.
        var spans = new[] { Llm("a", "s1", Day0, latencyMs: 1_000), Llm("b", "s1", Day0 + 41_000, latencyMs: 1_000), Llm("c", "s1", Day0 + 642_000, latencyMs: 1_000) };
        await backend.SpanWriter.WriteAsync(spans.Select(s => new ProjectSpan(project, s)).ToList());
        await AssertActivityAsync(backend, project, spans, SessionActivity.DefaultIdleGapMs);

        // A threshold recorded whose recompute of the rows has not run (interrupted): the rows still follow the default.
        object[] recorded = [new { ProjectId = project, IdleGapMs = 30_000L, Version = ulong.MaxValue - 1 }];
        await backend.Http.InsertAsync("session_idle_thresholds", recorded);
        Assert.Equal((30_000L, false), await backend.SessionActivity.AppliedIdleGapAsync(project));
        await AssertActivityAsync(backend, project, spans, 30_000);
    }

    [Fact]
    public async Task ARowWhoseFiguresAreNotTheCalls_IsNotUsed()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        var spans = new[] { Llm("a", "s1", Day0, latencyMs: 1_000, costPico: 10), Llm("b", "s1", Day0 + 1_000, latencyMs: 2_000, costPico: 20) };
        await backend.SpanWriter.WriteAsync(spans.Select(s => new ProjectSpan(project, s)).ToList());
        // The row as it would be had b's batch landed and its writer failed before the recompute, the batch never re-sent:
        // the first call's figures only, under the applied threshold, newer than every real row.
        object[] stale =
        [
            new
            {
                ProjectId = project, SessionId = "s1", StartedMs = Day0, EndedMs = Day0 + 1_000, Turns = 1L, CostPico = 10L, InputTokens = 100L,
                OutputTokens = 50L, LatencyMs = 1_000L, IdleGapMs = SessionActivity.DefaultIdleGapMs, Version = ulong.MaxValue - 1, Deleted = (byte)0,
            },
        ];
        await backend.Http.InsertAsync("session_rows", stale);
        Assert.Equal(1, (await backend.Sessions.ListAsync(project, new SessionQuery { Limit = 10 })).Items.Single().Turns); // the list reads it
        await AssertDetailAsync(backend, project, spans, "stale row");
    }

    /// <summary>
    /// The timeline keeps a call whose newest version is in the session, whatever its older versions elsewhere, and drops
    /// one whose newest version is in another session or in none: a call moved away and back, one moved to no session, one
    /// moved away for good. The transcript's calls (payloads without span ids) are the same calls.
    /// </summary>
    [Fact]
    public async Task CallsMovedAwayAndBack_AreInTheTimelineOfTheSessionOfTheirNewestVersion()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        var first = new[] { Llm("p", "s1", Day0), Llm("q", "s1", Day0 + 1_000), Llm("r", "s1", Day0 + 2_000), Llm("t", "s1", Day0 + 3_000) };
        await backend.SpanWriter.WriteAsync(first.Select(s => new ProjectSpan(project, s)).ToList());
        // One batch per move, each naming only its new session: p away and back, q away for good, r out of every session.
        var back = first[0] with { Usage = new TokenUsage(100, 9, 0, 0) };
        foreach (var move in new[] { first[0] with { SessionId = "s2" }, first[1] with { SessionId = "s2" }, first[2] with { SessionId = null }, back })
            await backend.SpanWriter.WriteAsync([new ProjectSpan(project, move)]);
        var now = new[] { back, first[1] with { SessionId = "s2" }, first[2] with { SessionId = null }, first[3] };
        await AssertDetailAsync(backend, project, now, "after the moves");
        Assert.Equal(["p", "t"], (await backend.Sessions.GetPayloadsAsync(project, "s1", spanIds: null, withInputs: true)).Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["q"], (await backend.Sessions.GetPayloadsAsync(project, "s2", spanIds: null, withInputs: true)).Keys);
    }

    private static async Task AssertDetailAsync(ClickHouseBackend backend, long project, IReadOnlyList<SpanRecord> spans, string context)
    {
        foreach (var (id, expected) in ReferenceFigures.Sessions(spans))
        {
            var detail = (await backend.Sessions.GetAsync(project, id, withPayloads: false))!;
            Compare.Session(expected, detail.Session, context);
            var calls = spans.Where(s => s.SessionId == id).OrderBy(s => s.StartMs).ThenBy(s => s.Id, StringComparer.Ordinal).Select(s => s.Id);
            Assert.Equal(calls, detail.Timeline.Select(e => e.SpanId));
        }
    }

    private static async Task AssertActivityAsync(ClickHouseBackend backend, long project, IReadOnlyList<SpanRecord> spans, long threshold)
    {
        var detail = (await backend.Sessions.GetAsync(project, "s1", withPayloads: false))!;
        var (active, gaps) = ReferenceFigures.Activity(spans.Select(s => (s.StartMs, s.EndMs)), threshold);
        Assert.True(active == detail.Session.ActiveMs && gaps == detail.Session.IdleGaps,
            $"at {threshold} ms: active {detail.Session.ActiveMs} (expected {active}), gaps {detail.Session.IdleGaps} (expected {gaps})");
    }
}
