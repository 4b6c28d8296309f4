using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using static Zespan.Storage.Conformance.TestSpans;

using static Zespan.Storage.Sqlite.Tests.SessionSearchKit;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The writer's session_search entries wait in session_search_queue until the end of their transaction (migration 410).
/// Every change that takes an entry out or moves it happens here inside the same write that queued it: a new session
/// rebuilt in the same batch (a call replaced before commit), renamed, moved to the error half and to an earlier day,
/// beside stored sessions doing the same. After each write the queue is empty, the index holds one entry per session,
/// and q= finds exactly the sessions whose id or name contains the text (LIKE, recomputed from the stored sessions).
/// </summary>
public sealed class SessionSearchQueueTests : IAsyncLifetime
{
    private SeededStore _store = null!;

    public async Task InitializeAsync() => _store = await SeededStore.CreateAsync(Plan.Free, "p", "other");

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    private static SpanRecord Call(string id, string session, long start, string? name, SpanStatus status = SpanStatus.Ok) =>
        Llm(id, session, start, traceId: "t-" + id, status: status) with { SessionName = name };

    /// <summary>For each of 40 sessions, a few calls; each session is changed in one of eight ways within the same batch.</summary>
    private List<ProjectSpan> Batch(string prefix, long start)
    {
        var spans = new List<ProjectSpan>();
        for (var i = 0; i < 40; i++)
        {
            var session = $"{prefix}{i:D2}-queue";
            var at = start + i * 60_000L;
            void Add(SpanRecord span) => spans.Add(new ProjectSpan(_store.Project, span));
            Add(Call($"{prefix}{i}-a", session, at, $"first {prefix}{i}"));
            switch (i % 8)
            {
                case 1: // the same call again, changed: the session is rebuilt (deleted and inserted) before commit
                    Add(Call($"{prefix}{i}-a", session, at, $"replaced {prefix}{i}", SpanStatus.Error));
                    break;
                case 2: // an earlier call names it: a rename
                    Add(Call($"{prefix}{i}-b", session, at - 1_000, $"renamed {prefix}{i}"));
                    break;
                case 3: // an error: the error half
                    Add(Call($"{prefix}{i}-b", session, at + 1_000, null, SpanStatus.Error));
                    break;
                case 4: // a call a day earlier: the start day moves
                    Add(Call($"{prefix}{i}-b", session, at - Day, null));
                    break;
                case 5: // all of it, and the replaced call replaced again
                    Add(Call($"{prefix}{i}-b", session, at - Day, $"early {prefix}{i}", SpanStatus.Error));
                    Add(Call($"{prefix}{i}-b", session, at - Day, $"early again {prefix}{i}"));
                    break;
                case 6: // the call moves to another session: this one is emptied
                    Add(Call($"{prefix}{i}-a", $"{session}-moved", at, $"moved {prefix}{i}"));
                    break;
            }
            // The other project: the same ids, never found from this one.
            spans.Add(new ProjectSpan(_store.OtherProject, Call($"o{prefix}{i}", session, at, $"first {prefix}{i}")));
        }
        return spans;
    }

    [Fact]
    public async Task EntriesQueuedInAWrite_AreInTheIndexAfterIt_WhateverTheWriteDidToThem()
    {
        await _store.Storage.SpanWriter.WriteAsync(Batch("n", Day0 + 2 * Day));
        await VerifyAsync("after a write of new sessions");

        // Stored sessions changed beside new ones in one write.
        var again = Batch("n", Day0 + 2 * Day).Select(s => s with { Span = s.Span with { Id = s.Span.Id + "-late", StartMs = s.Span.StartMs - 2 * Day, Status = SpanStatus.Error } });
        await _store.Storage.SpanWriter.WriteAsync([.. again, .. Batch("m", Day0 + 3 * Day)]);
        await VerifyAsync("after stored and new sessions changed in one write");

        await _store.Storage.Retention.DeleteSpansStartedBeforeAsync(_store.Project, Day0 + 2 * Day, 50);
        await VerifyAsync("after retention");
    }

    [Fact]
    public async Task AQueuedEntry_FollowsItsSessionThroughRenamesMovesAndDeletes_BeforeTheTransactionEnds()
    {
        // The writer never changes a session twice in one transaction today; these are the triggers' paths for when one does.
        await using (var connection = await _store.Storage.Database.OpenAsync())
        using (var transaction = connection.BeginTransaction())
        {
            foreach (var session in new[] { "gone-session", "kept-session" })
            {
                connection.Execute($"""
                    INSERT INTO sessions (project_id, session_id, name, started_ms, ended_ms, duration_ms, turns, cost_pico, cost_high, unpriced_calls,
                                          input_tokens, output_tokens, total_tokens, error_count, latency_sum_ms, active_ms)
                    VALUES ({_store.Project}, '{session}', 'before rename', {Day0 + 3 * Day}, {Day0 + 3 * Day}, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
                    UPDATE sessions SET name = 'after rename' WHERE session_id = '{session}';
                    UPDATE sessions SET error_count = 1 WHERE session_id = '{session}';
                    UPDATE sessions SET started_ms = {Day0 + Day} WHERE session_id = '{session}';
                    """);
            }
            connection.Execute("DELETE FROM sessions WHERE session_id = 'gone-session'");
            Assert.Equal(1L, connection.Scalar("""
                SELECT COUNT(*) FROM session_search_queue q JOIN session_search_docs d ON d.id = q.id
                WHERE d.session_id = 'kept-session' AND q.name = 'after rename'
                """));
            Assert.Equal(1L, connection.Scalar("SELECT COUNT(*) FROM session_search_queue"));
            using (var rollups = new SessionRollupDeltas(connection))
                rollups.Flush();
            Assert.Equal(0L, connection.Scalar("SELECT COUNT(*) FROM session_search_queue"));
            transaction.Commit();
        }
        var found = (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Filter = new SessionFilter { Query = "after rename" } })).Items;
        Assert.Equal(["kept-session"], found.Select(s => s.SessionId));
        Assert.Empty((await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Filter = new SessionFilter { Query = "before rename" } })).Items);
        Assert.Empty((await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Filter = new SessionFilter { Query = "gone-session" } })).Items);
    }

    private async Task VerifyAsync(string context)
    {
        await using (var connection = await _store.Storage.Database.OpenAsync())
        {
            Assert.True(connection.Scalar("SELECT COUNT(*) FROM session_search_queue") == 0, $"{context}: the queue is empty after the write");
            Assert.Equal(connection.Scalar("SELECT COUNT(*) FROM sessions"), connection.Scalar("SELECT COUNT(*) FROM session_search"));
            Assert.Equal(0L, connection.Scalar("SELECT COUNT(*) FROM session_search s LEFT JOIN session_search_docs d ON d.id = s.rowid WHERE d.id IS NULL"));
        }
        var stored = (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Limit = SessionQuery.MaxLimit })).Items;
        Assert.NotEmpty(stored);
        var texts = stored.SelectMany(s => new[] { s.SessionId, s.Name ?? "", "queue", "renamed", "early again", "replaced", "moved" })
            .Where(t => t.Length >= 3).Distinct().ToList();
        foreach (var text in texts)
        {
            var expected = stored.Where(s => LikeContains(s.SessionId, text) || (s.Name is { } name && LikeContains(name, text)))
                .OrderBy(s => s.StartedMs).ThenBy(s => s.SessionId, StringComparer.Ordinal).Select(s => s.SessionId).ToList();
            var (listed, totalCount) = await _store.Storage.PageThroughAsync(_store.Project, new SessionFilter { Query = text }, SessionSort.StartedAt, descending: false, pageSize: 50);
            Assert.True(expected.SequenceEqual(listed), $"{context}, q=\"{text}\": expected [{string.Join(", ", expected)}], listed [{string.Join(", ", listed)}]");
            Assert.Equal(expected.Count, totalCount);
        }
    }
}
