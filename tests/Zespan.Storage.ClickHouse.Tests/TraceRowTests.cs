using Microsoft.Extensions.Logging.Abstractions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Core.Traces;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// trace_rows (one row per trace, kept by the writer) against a recomputation from the spans: a re-send that moves a span
/// to another trace updates the trace it left, a recompute split by its limits loses no trace, a writer that dies
/// before its recompute leaves rows that one repair pass makes exact, and the candidate page agrees with the full one.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class TraceRowTests(ClickHouseCluster cluster)
{
    private static long NewProject() => 5_000_000_000L + Random.Shared.Next(1_000_000);

    [Fact]
    public async Task SpansMovedBetweenTraces_InARecomputeSplitByItsLimits_LeaveEveryTraceRowExact()
    {
        // Limits this small split the chunks into statements of one or two traces by their span ids (t3, with four spans,
        // passes the limit alone): no trace may be lost or counted twice between the statements.
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        var versions = new RowVersions(TimeProvider.System);
        var traceRows = new TraceRowKeeper(backend.Http, backend.Sql, versions, new TraceRowKeeper.Limits(Traces: 3, SpanIds: 2));
        var sessionRows = new SessionRowKeeper(backend.Http, backend.Sql, versions, traceRows);
        var writer = new ClickHouseSpanWriter(backend.Http, versions, sessionRows, new TraceContextInheritance(backend.Http, backend.Sql, versions, sessionRows),
            new ContentSessionNames(backend.Http, backend.Sql, versions, sessionRows));
        var first = Enumerable.Range(0, 24).Select(i => Llm($"span{i}", $"s{i % 5}", 1_000 + 100 * i, costPico: i + 1, traceId: $"t{i % 7}",
            status: i % 5 == 0 ? SpanStatus.Error : SpanStatus.Ok, userId: i % 3 == 0 ? $"u{i % 2}" : null)).ToList();
        await writer.WriteAsync(first.Select(s => new ProjectSpan(project, s)).ToList());
        // Re-sends, each batch naming only the trace the span moves into: t6 loses its every span (6, 13, 20).
        var moves = new[] { Llm("span6", "s1", 900, costPico: 100, traceId: "t0"), Llm("span13", "s2", 3_500, traceId: "t1"), Llm("span20", "s0", 4_800, traceId: "new") };
        foreach (var move in moves)
            await writer.WriteAsync([new ProjectSpan(project, move)]);

        var final = first.Where(s => moves.All(m => m.Id != s.Id)).Concat(moves).ToList();
        var expected = ReferenceFigures.Traces(final);
        var listed = await backend.Traces.ListAsync(project, new TraceQuery { Limit = 50 });
        Assert.Equal(7, listed.TotalCount); // t0..t5 and new: t6's row is deleted, not left behind
        Assert.Equal(expected.Values.OrderByDescending(t => t.StartedMs).ThenByDescending(t => t.TraceId, StringComparer.Ordinal).Select(t => t.TraceId),
            listed.Items.Select(t => t.TraceId));
        foreach (var trace in listed.Items)
            Compare.Trace(expected[trace.TraceId], trace, "after moves between traces");
        Assert.Null(await backend.Traces.GetAsync(project, "t6"));
    }

    /// <summary>
    /// The traces list with a user or a session merges only the traces that have a row version matching it
    /// (TracesWithVersionMatching): traces whose older row is the user's or the session's and whose newest is not must not
    /// be listed or counted, and those whose newest row became theirs must, while both versions are still unmerged.
    /// </summary>
    [Fact]
    public async Task AUsersOrSessionsTraces_AreThoseWhoseNewestRowIsTheirs()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        List<SpanRecord> first =
        [
            Llm("a0", "s1", 1_000, traceId: "tA", userId: "u1"),
            Llm("b0", "s2", 2_000, traceId: "tB", userId: "u2"),
            Llm("c0", "s1", 3_000, traceId: "tC", userId: "u1"),
            Llm("d0", "s1", 4_000, traceId: "tD", userId: "u1"),
        ];
        await backend.SpanWriter.WriteAsync(first.Select(s => new ProjectSpan(project, s)).ToList());
        // tA becomes u2's and s2's, tB becomes u1's, and tD's only span moves into a new trace tE (tD is left with none).
        List<SpanRecord> resent = [first[0] with { UserId = "u2", SessionId = "s2" }, first[1] with { UserId = "u1" }, first[3] with { TraceId = "tE" }];
        await backend.SpanWriter.WriteAsync(resent.Select(s => new ProjectSpan(project, s)).ToList());

        var current = ReferenceFigures.Traces([.. resent, first[2]]).Values.ToList();
        var cases = new (TraceQuery Query, Func<ExpectedTrace, bool> Matches)[]
        {
            (new TraceQuery { UserId = "u1" }, t => t.UserId == "u1"),
            (new TraceQuery { UserId = "u2" }, t => t.UserId == "u2"),
            (new TraceQuery { UserId = "nobody" }, _ => false),
            (new TraceQuery { SessionId = "s1" }, t => t.SessionId == "s1"),
            (new TraceQuery { SessionId = "s2", UserId = "u2" }, t => t.SessionId == "s2" && t.UserId == "u2"),
        };
        foreach (var (query, matches) in cases)
        {
            var expected = current.Where(matches).OrderByDescending(t => t.StartedMs).Select(t => t.TraceId).ToList();
            var page = await backend.Traces.ListAsync(project, query with { Limit = 10 });
            var where = $"user {query.UserId}, session {query.SessionId}";
            Assert.True(expected.Count == page.TotalCount, $"{where}: total {page.TotalCount}, expected {expected.Count}");
            Assert.True(expected.SequenceEqual(page.Items.Select(t => t.TraceId)), $"{where}: listed {string.Join(",", page.Items.Select(t => t.TraceId))}, expected {string.Join(",", expected)}");
        }
    }

    [Fact]
    public async Task ATraceWrittenWhole_GetsTheRowItsRecomputeWrites_FieldByField()
    {
        // The writer folds a trace written whole in C# (TraceFigures); a recompute groups its spans in SQL. Both must
        // write the same row: ties on start broken by span id in code-point order (U+E000 sorts after U+1F600 in UTF-16,
        // before it in UTF-8), roots, users and sessions carried by some spans only, unpriced calls,
        // spans that are not calls, errors, several models and none.
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        var spans = new List<SpanRecord>
        {
            Llm("\U0001F600", "s1", 1_000, costPico: 3 * Money.PicoPerUsd + 7, traceId: "ties", userId: "emoji", parentId: "p"),
            Llm("\uE000", "s2", 1_000, costPico: Money.PicoPerUsd - 1, traceId: "ties", userId: "private-use", parentId: "p"),
            Llm("a", null, 1_000, costPico: null, traceId: "ties", model: "other", status: SpanStatus.Error) with { Name = "root" },
            Llm("b", null, 900, costPico: 5, traceId: "ties", model: null) with { Kind = SpanKind.Span, Name = "step" },
            Llm("c", "s3", 2_000, costPico: null, traceId: "unpriced", parentId: "x", model: null),
            Llm("d", "s3", 3_000, costPico: 1, traceId: "single", userId: "u", status: SpanStatus.Error),
        };
        await backend.SpanWriter.WriteAsync(spans.Select(s => new ProjectSpan(project, s)).ToList());
        var folded = await TraceRowsAsync(backend, project);

        await backend.TraceRows.RecomputeAsync(project, ["ties", "unpriced", "single"], CancellationToken.None);
        var recomputed = await TraceRowsAsync(backend, project);

        Assert.Equal(3, folded.Count);
        Assert.Equal(recomputed, folded);
        foreach (var trace in (await backend.Traces.ListAsync(project, new TraceQuery { Limit = 10 })).Items)
            Compare.Trace(ReferenceFigures.Traces(spans)[trace.TraceId], trace, "a trace written whole");
    }

    /// <summary>The project's newest trace rows, each as text with its cost as one number and its models sorted.</summary>
    private static async Task<List<string>> TraceRowsAsync(ClickHouseBackend backend, long project) =>
        await backend.Http.QueryAsync(
            $"SELECT trace_id, root_name, has_root, started_ms, ended_ms, spans, llm_calls, cost_usd, cost_pico, unpriced, tokens, errors, user_id, has_user, session_id, has_session, "
            + $"arraySort(models), deleted FROM {backend.Http.Settings.Database}.trace_rows FINAL WHERE project_id = {{project:Int64}} ORDER BY trace_id FORMAT JSONCompact",
            new Dictionary<string, object?> { ["project"] = project },
            r => string.Join(" | ", r.Take(7).Select(c => c.ToString()).Append(JsonCell.Cost(r[7], r[8]).ToString()).Concat(r.Skip(9).Select(c => c.ToString()))));

    [Fact]
    public async Task AWriterThatDiesBeforeItsRecompute_LeavesStaleTraceRows_WhichOneRepairPassMakesExact()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        var first = new[] { Llm("a", "s1", 1_000, traceId: "kept"), Llm("b", "s1", 2_000, traceId: "left"), Llm("c", "s2", 3_000, traceId: "emptied") };
        await backend.SpanWriter.WriteAsync(first.Select(s => new ProjectSpan(project, s)).ToList());

        // The batch of a server that dies after its INSERT: b and c move to "kept", which leaves "emptied" with no span.
        var crashed = new[] { Llm("b", "s1", 2_500, costPico: 7, traceId: "kept"), Llm("c", "s2", 500, traceId: "kept") };
        await backend.SpanWriter.InsertSpansAsync(crashed.Select(s => new ProjectSpan(project, s)).ToList());
        var stale = await backend.Traces.ListAsync(project, new TraceQuery { Limit = 10 });
        Assert.Equal(["emptied", "kept", "left"], stale.Items.Select(t => t.TraceId).Order(StringComparer.Ordinal)); // the known gap

        var repair = await cluster.RepairAsync(backend, TimeProvider.System);
        Assert.Equal(2, await repair.RepairProjectAsync(project, writtenAfter: 0, new RowVersions(TimeProvider.System).Next(), batch: 10));

        var final = new[] { first[0], crashed[0], crashed[1] };
        var listed = await backend.Traces.ListAsync(project, new TraceQuery { Limit = 10 });
        Assert.Equal(1, listed.TotalCount);
        Compare.Trace(ReferenceFigures.Traces(final)["kept"], Assert.Single(listed.Items), "after one repair pass");
    }

    [Fact]
    public async Task ThePageFromCandidates_IsTheFullPage_ForEveryFilterOrderAndCursor()
    {
        // Many versions of few traces (re-sends) fill each shard's first row versions with older ones, so the candidate
        // page cannot prove itself and the full page answers; both must give the recomputation's order.
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        var spans = Enumerable.Range(0, 60).Select(i => Llm($"x{i}", $"s{i % 4}", 10_000 + 1_000 * (i % 30), traceId: $"t{i % 30}", userId: $"u{i % 2}",
            status: i % 7 == 0 ? SpanStatus.Error : SpanStatus.Ok)).ToList();
        await backend.SpanWriter.WriteAsync(spans.Select(s => new ProjectSpan(project, s)).ToList());
        for (var round = 0; round < 3; round++)
            await backend.SpanWriter.WriteAsync(spans.Where((_, i) => i % 30 < 5).Select(s => new ProjectSpan(project, s with { EndMs = s.EndMs + round + 1 })).ToList());
        var final = spans.Select(s => spans.IndexOf(s) % 30 < 5 ? s with { EndMs = s.EndMs + 3 } : s).ToList();
        var expected = ReferenceFigures.Traces(final).Values.ToList();

        foreach (var (query, keeps) in new (TraceQuery, Func<ExpectedTrace, bool>)[]
        {
            (new TraceQuery(), _ => true),
            (new TraceQuery { UserId = "u0" }, t => t.UserId == "u0"),
            (new TraceQuery { Status = SpanStatus.Error }, t => t.ErrorCount > 0),
        })
            foreach (var oldestFirst in new[] { false, true })
            {
                var ordered = expected.Where(keeps).OrderBy(t => t.StartedMs).ThenBy(t => t.TraceId, StringComparer.Ordinal).ToList();
                if (!oldestFirst)
                    ordered.Reverse();
                var seen = new List<string>();
                var page = await backend.Traces.ListAsync(project, query with { Limit = 4, OldestFirst = oldestFirst });
                while (true)
                {
                    Assert.Equal(ordered.Count, page.TotalCount);
                    seen.AddRange(page.Items.Select(t => t.TraceId));
                    if (page.NextCursor is null)
                        break;
                    var last = page.Items[^1];
                    page = await backend.Traces.ListAsync(project, query with { Limit = 4, OldestFirst = oldestFirst, After = (last.StartedMs, last.TraceId) });
                }
                Assert.Equal(ordered.Select(t => t.TraceId), seen);
            }
    }
}
