using Microsoft.Extensions.Logging.Abstractions;
using Zespan.Core.Sessions;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// session_rows (one row per session, kept by the writer) against a recomputation from the spans: a re-send that moves a
/// span out of a session must update that session's row even though the batch does not name it, and a new idle gap
/// threshold recomputes every row — resuming when a recomputation was interrupted.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class SessionRowTests(ClickHouseCluster cluster)
{
    private static long NewProject() => 4_000_000_000L + Random.Shared.Next(1_000_000);

    [Fact]
    public async Task ASpanMovedAway_UpdatesTheSessionItLeft_WhichTheBatchDoesNotName()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        var first = new[] { Llm("a", "left", 1_000, costPico: 10), Llm("b", "left", 2_000, costPico: 20), Llm("c", "alone", 3_000, costPico: 40) };
        await backend.SpanWriter.WriteAsync(first.Select(s => new ProjectSpan(project, s)).ToList());

        // Each batch names only the session the span moves into.
        var moves = new[] { Llm("b", "joined", 2_500, costPico: 25), Llm("c", "joined", 3_500, costPico: 45) };
        foreach (var move in moves)
            await backend.SpanWriter.WriteAsync([new ProjectSpan(project, move)]);

        var final = new[] { first[0], moves[0], moves[1] };
        var expected = ReferenceFigures.Sessions(final);
        var listed = await backend.Sessions.ListAsync(project, new SessionQuery { Limit = 10 });
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), listed.Items.Select(s => s.SessionId).Order(StringComparer.Ordinal));
        Assert.Equal(2, listed.TotalCount); // "alone" lost its only call: its row is deleted, not left behind
        foreach (var session in listed.Items)
            Compare.Session(expected[session.SessionId], session, "after moves");
        var stats = await backend.Sessions.StatsAsync(project, SessionFilter.None);
        Assert.Equal(final.Sum(s => s.CostPico!.Value), (long)stats.TotalCostPico);
        Assert.Equal(3, stats.TotalTurns);
    }

    [Fact]
    public async Task ABatchWhoseSpanIdsPassTheQuerySizeLimit_IsWrittenWhole()
    {
        // 3,000 ids of 100 characters bind to ~600 kB of hex in the statements that look them up, past ClickHouse's
        // default max_query_size of 256 kB: the load of 1 M sessions failed that way with 8 group-committed requests.
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        var spans = Enumerable.Range(0, 3_000).Select(i => Llm($"{i:D6}".PadRight(100, 'x'), "s" + i % 300, 1_000 + i, costPico: 10)).ToList();
        await backend.SpanWriter.WriteAsync(spans.Select(s => new ProjectSpan(project, s)).ToList());
        var stats = await backend.Sessions.StatsAsync(project, SessionFilter.None);
        Assert.Equal((300L, 3_000L, (Int128)30_000), (stats.Sessions, stats.TotalTurns, stats.TotalCostPico));
    }

    [Fact]
    public async Task ARecomputeSplitByItsLimits_WritesEveryRowExact()
    {
        // Limits this small split every chunk of 6 sessions into statements of one or two by their moved span ids (s12,
        // with three, passes the limit alone and is recomputed whole): no session may be lost or counted twice between
        // the statements.
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        var versions = new RowVersions(TimeProvider.System);
        var keeper = new SessionRowKeeper(backend.Http, backend.Sql, versions, new TraceRowKeeper(backend.Http, backend.Sql, versions, new TraceRowKeeper.Limits(Traces: 6, SpanIds: 2)),
            new SessionRowKeeper.Limits(Sessions: 6, SpanIds: 2));
        var writer = new ClickHouseSpanWriter(backend.Http, versions, keeper, new TraceContextInheritance(backend.Http, backend.Sql, versions, keeper),
            new ContentSessionNames(backend.Http, backend.Sql, versions, keeper));
        var first = Enumerable.Range(0, 40).Select(i => Llm($"span{i}", $"s{i % 13}", 1_000 + 100 * i, costPico: i + 1)).ToList();
        await writer.WriteAsync(first.Select(s => new ProjectSpan(project, s)).ToList());
        // Re-sends that move calls between sessions and empty one ("s12" holds span12, span25 and span38).
        var moves = new[] { Llm("span12", "s0", 2_200, costPico: 100), Llm("span25", "s1", 3_500, costPico: 200), Llm("span38", "s2", 4_800, costPico: 300) };
        await writer.WriteAsync(moves.Select(s => new ProjectSpan(project, s)).ToList());

        var final = first.Where(s => moves.All(m => m.Id != s.Id)).Concat(moves).ToList();
        var expected = ReferenceFigures.Sessions(final);
        var listed = await backend.Sessions.ListAsync(project, new SessionQuery { Limit = 50 });
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), listed.Items.Select(s => s.SessionId).Order(StringComparer.Ordinal));
        Assert.Equal(12, listed.TotalCount);
        foreach (var session in listed.Items)
            Compare.Session(expected[session.SessionId], session, "after split recomputes");
        var stats = await backend.Sessions.StatsAsync(project, SessionFilter.None);
        Assert.Equal(final.Sum(s => s.CostPico!.Value), (long)stats.TotalCostPico);
        Assert.Equal(40, stats.TotalTurns);
    }

    [Fact]
    public async Task AWriterThatDiesBeforeItsRecompute_LeavesStaleRows_WhichOneRepairPassMakesExact()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        var first = new[]
        {
            Llm("a", "kept", 1_000, costPico: 10), Llm("b", "kept", 2_000, costPico: 20),
            Llm("c", "left", 3_000, costPico: 40), Llm("d", "left", 4_000, costPico: 50), Llm("e", "emptied", 5_000, costPico: 60),
        };
        await backend.SpanWriter.WriteAsync(first.Select(s => new ProjectSpan(project, s)).ToList());

        // The batch of a server that dies after its INSERT, before its recompute: a new call in "kept", "c" moved into a
        // session that has no row yet, and "e" re-sent without a session, which leaves "emptied" with no call.
        var crashed = new[] { Llm("f", "kept", 6_000, costPico: 70), Llm("c", "new", 3_500, costPico: 45), Llm("e", null, 5_000, costPico: 60) };
        await backend.SpanWriter.InsertSpansAsync(crashed.Select(s => new ProjectSpan(project, s)).ToList());
        var final = new[] { first[0], first[1], first[3], crashed[0], crashed[1], crashed[2] };
        var listed = await backend.Sessions.ListAsync(project, new SessionQuery { Limit = 10 });
        Assert.Equal(["emptied", "kept", "left"], listed.Items.Select(s => s.SessionId).Order(StringComparer.Ordinal)); // stale: the known gap

        // Settled: every write so far. Nothing else of the project is stale, so the pass stops at the sessions above.
        var repair = await cluster.RepairAsync(backend, TimeProvider.System);
        var settled = new RowVersions(TimeProvider.System).Next();
        Assert.Equal(3, await repair.RepairProjectAsync(project, writtenAfter: 0, settled, batch: 10)); // kept, new, and '' (the spans of no session)

        var expected = ReferenceFigures.Sessions(final);
        listed = await backend.Sessions.ListAsync(project, new SessionQuery { Limit = 10 });
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), listed.Items.Select(s => s.SessionId).Order(StringComparer.Ordinal));
        Assert.Equal(expected.Count, listed.TotalCount);
        foreach (var session in listed.Items)
            Compare.Session(expected[session.SessionId], session, "after one repair pass");
        var stats = await backend.Sessions.StatsAsync(project, SessionFilter.None);
        Assert.Equal(final.Where(s => s.SessionId is not null).Sum(s => s.CostPico!.Value), (long)stats.TotalCostPico);
        Assert.Equal(expected.Values.Sum(s => s.Turns), stats.TotalTurns);

        // Repaired: the next pass finds nothing, and neither does one right after an ordinary write (its recompute followed it).
        Assert.Equal(0, await repair.RepairProjectAsync(project, writtenAfter: 0, new RowVersions(TimeProvider.System).Next(), batch: 10));
        await backend.SpanWriter.WriteAsync([new ProjectSpan(project, Llm("g", null, 7_000)), new ProjectSpan(project, Llm("h", "kept", 8_000))]);
        Assert.Equal(0, await repair.RepairProjectAsync(project, writtenAfter: 0, new RowVersions(TimeProvider.System).Next(), batch: 10));
    }

    [Fact]
    public async Task TheSweepReadsBackAFewMinutes_EveryTenthPassTen_AndEachServersFirstPassReadsEverything()
    {
        // A database of its own: RunOnceAsync checks every project, and other tests leave rows without session rows.
        var backend = await ClickHouseBackend.CreateAsync(cluster.NewDatabase());
        try
        {
            const long project = 7;
            var now = DateTimeOffset.UtcNow;
            var clock = new FixedClock(now + TimeSpan.FromMinutes(1)); // every write below has settled
            await backend.SpanWriter.WriteAsync([new ProjectSpan(project, Llm("a", "kept", 1_000, costPico: 10))]);
            await backend.SpanWriter.InsertSpansAsync([new ProjectSpan(project, Llm("b", "crashed", 2_000, costPico: 20))]);

            var repair = await cluster.RepairAsync(backend, clock);
            Assert.True(repair.NextPassIsDeep);
            Assert.Equal(0UL, repair.WrittenAfter);
            Assert.Equal(1, await repair.RunOnceAsync()); // "crashed"
            var settled = clock.GetUtcNow() - SessionRowRepair.Settling;
            var recentBound = (ulong)(settled - SessionRowRepair.RecentLateWrites).UtcTicks;
            var deepBound = (ulong)(settled - SessionRowRepair.LateWrites).UtcTicks;
            Assert.False(repair.NextPassIsDeep);
            Assert.Equal(recentBound, repair.WrittenAfter);

            // Crashed writes that landed late: one at the deep bound (later than LateWrites allows), one just after it (later
            // than RecentLateWrites: only a deep pass reads it), and one just after the recent bound.
            await backend.Http.InsertAsync("session_spans", new[] { SpanRow.Of(project, Llm("c", "too late", 3_000, costPico: 30), deepBound) });
            await backend.Http.InsertAsync("session_spans", new[] { SpanRow.Of(project, Llm("d", "late", 4_000, costPico: 40), deepBound + 1) });
            await backend.Http.InsertAsync("session_spans", new[] { SpanRow.Of(project, Llm("e", "recent", 5_000, costPico: 50), recentBound + 1) });
            Assert.Equal(1, await repair.RunOnceAsync()); // "recent" only: a pass between deep ones reads back RecentLateWrites
            for (var pass = 2; pass < SessionRowRepair.PassesPerDeepPass; pass++)
                Assert.Equal(0, await repair.RunOnceAsync());
            Assert.Equal(["crashed", "kept", "recent"], await ListedAsync(backend, project));
            Assert.True(repair.NextPassIsDeep);
            Assert.Equal(deepBound, repair.WrittenAfter);
            Assert.Equal(1, await repair.RunOnceAsync()); // "late": the deep pass reads back LateWrites, not the row at its bound
            Assert.Equal(0, await repair.RunOnceAsync());
            Assert.Equal(["crashed", "kept", "late", "recent"], await ListedAsync(backend, project));

            // A restarted server's first pass reads every version (the stopped one gave the lease up).
            await repair.StopAsync(CancellationToken.None);
            var restarted = await cluster.RepairAsync(backend, clock);
            Assert.Equal(1, await restarted.RunOnceAsync());
            var spans = new[]
            {
                Llm("a", "kept", 1_000, costPico: 10), Llm("b", "crashed", 2_000, costPico: 20), Llm("c", "too late", 3_000, costPico: 30),
                Llm("d", "late", 4_000, costPico: 40), Llm("e", "recent", 5_000, costPico: 50),
            };
            var expected = ReferenceFigures.Sessions(spans);
            var listed = await backend.Sessions.ListAsync(project, new SessionQuery { Limit = 10 });
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), listed.Items.Select(s => s.SessionId).Order(StringComparer.Ordinal));
            foreach (var session in listed.Items)
                Compare.Session(expected[session.SessionId], session, "after the restarted server's pass");
        }
        finally
        {
            await backend.DropAsync();
        }
    }

    [Fact]
    public async Task OneServerSweepsAtATime_TheLeaseHolder_UntilItStops()
    {
        var backend = await ClickHouseBackend.CreateAsync(cluster.NewDatabase());
        try
        {
            const long project = 8;
            var clock = new FixedClock(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1)); // every write below has settled
            await backend.SpanWriter.InsertSpansAsync([new ProjectSpan(project, Llm("a", "first", 1_000, costPico: 10))]);
            var one = await cluster.RepairAsync(backend, clock);
            var other = await cluster.RepairAsync(backend, clock); // another server on the same control plane and data
            Assert.Equal(1, await one.RunOnceAsync());

            // While the first holds the lease, the other does not sweep: a crashed write stays for the holder's next pass.
            await backend.SpanWriter.InsertSpansAsync([new ProjectSpan(project, Llm("b", "second", 2_000, costPico: 20))]);
            Assert.Equal(0, await other.RunOnceAsync());
            Assert.Equal(["first"], await ListedAsync(backend, project));

            // The holder stops and gives the lease up: the other sweeps from its next pass on, and the first no longer does.
            await one.StopAsync(CancellationToken.None);
            Assert.Equal(1, await other.RunOnceAsync());
            Assert.Equal(["first", "second"], await ListedAsync(backend, project));
            await backend.SpanWriter.InsertSpansAsync([new ProjectSpan(project, Llm("c", "third", 3_000, costPico: 30))]);
            Assert.Equal(0, await one.RunOnceAsync());
            Assert.Equal(1, await other.RunOnceAsync());
            Assert.Equal(["first", "second", "third"], await ListedAsync(backend, project));
        }
        finally
        {
            await backend.DropAsync();
        }
    }

    private static async Task<string[]> ListedAsync(ClickHouseBackend backend, long project) =>
        (await backend.Sessions.ListAsync(project, new SessionQuery { Limit = 10 })).Items.Select(s => s.SessionId).Order(StringComparer.Ordinal).ToArray();

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task ANewThreshold_RecomputesEveryRow_AndAnInterruptedRecomputationIsFinished()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        // Calls 40 s and 10 min apart: idle under a 30 s threshold, not under the default 5 minutes for the first gap.
        var spans = new[]
        {
            Llm("a", "s1", 0, latencyMs: 1_000), Llm("b", "s1", 41_000, latencyMs: 1_000), Llm("c", "s1", 642_000, latencyMs: 1_000),
            Llm("d", "s2", 0, latencyMs: 1_000), Llm("e", "s2", 20_000, latencyMs: 1_000),
        };
        await backend.SpanWriter.WriteAsync(spans.Select(s => new ProjectSpan(project, s)).ToList());
        await AssertActivityAsync(backend, project, spans, SessionActivity.DefaultIdleGapMs);

        Assert.Equal(2, await backend.SessionActivity.ApplyIdleGapAsync(project, 30_000));
        Assert.Equal((30_000L, true), await backend.SessionActivity.AppliedIdleGapAsync(project));
        await AssertActivityAsync(backend, project, spans, 30_000);

        // A recomputation interrupted after the threshold was recorded: the rows still follow 30 s, which shows.
        object[] recorded = [new { ProjectId = project, IdleGapMs = 600_000L, Version = ulong.MaxValue - 1 }];
        await backend.Http.InsertAsync("session_idle_thresholds", recorded);
        Assert.Equal((600_000L, false), await backend.SessionActivity.AppliedIdleGapAsync(project));
        Assert.Equal(2, await backend.SessionActivity.ApplyIdleGapAsync(project, 600_000));
        Assert.Equal((600_000L, true), await backend.SessionActivity.AppliedIdleGapAsync(project));
        await AssertActivityAsync(backend, project, spans, 600_000);
    }

    [Fact]
    public async Task TheCompletenessCheck_RunsAgainAfterAnotherServersChange_EvenBackToTheSameThreshold()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        var spans = new[] { Llm("a", "s1", 0, latencyMs: 1_000), Llm("b", "s1", 41_000, latencyMs: 1_000), Llm("c", "s2", 0, latencyMs: 1_000) };
        await backend.SpanWriter.WriteAsync(spans.Select(s => new ProjectSpan(project, s)).ToList());
        var versions = new RowVersions(TimeProvider.System);
        var thisServer = backend.SessionActivity;
        await thisServer.ApplyIdleGapAsync(project, 30_000);
        Assert.Equal((30_000L, true), await thisServer.AppliedIdleGapAsync(project)); // checked: complete at this record

        // Another server (its own store) moves to 10 minutes, then records 30 s again and dies before its recompute.
        var otherServer = new ClickHouseSessionActivityStore(backend.Http, backend.Sql, versions, backend.SessionRows);
        Assert.Equal(2, await otherServer.ApplyIdleGapAsync(project, 600_000));
        object[] recorded = [new { ProjectId = project, IdleGapMs = 30_000L, Version = versions.Next() }];
        await backend.Http.InsertAsync("session_idle_thresholds", recorded);

        // The same threshold this server found complete, but a new record: it checks again and finds the rows behind.
        Assert.Equal((30_000L, false), await thisServer.AppliedIdleGapAsync(project));
        Assert.Equal(2, await thisServer.ApplyIdleGapAsync(project, 30_000));
        Assert.Equal((30_000L, true), await thisServer.AppliedIdleGapAsync(project));
        await AssertActivityAsync(backend, project, spans, 30_000);
    }

    private static async Task AssertActivityAsync(ClickHouseBackend backend, long project, IReadOnlyList<Zespan.Core.Spans.SpanRecord> spans, long threshold)
    {
        var listed = await backend.Sessions.ListAsync(project, new SessionQuery { Limit = 10 });
        Assert.Equal(2, listed.TotalCount);
        foreach (var session in listed.Items)
        {
            var calls = spans.Where(s => s.SessionId == session.SessionId).Select(s => (s.StartMs, s.EndMs)).ToList();
            var (active, gaps) = ReferenceFigures.Activity(calls, threshold);
            Assert.True(active == session.ActiveMs && gaps == session.IdleGaps,
                $"{session.SessionId} at {threshold} ms: active {session.ActiveMs} (expected {active}), gaps {session.IdleGaps} (expected {gaps})");
        }
    }
}
