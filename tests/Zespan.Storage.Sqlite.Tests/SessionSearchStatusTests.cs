using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using static Zespan.Storage.Conformance.TestSpans;

using static Zespan.Storage.Sqlite.Tests.SessionSearchKit;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// q= with status=error or status=ok answered by the search index's halves (migration 280): a session's document is in
/// the upper half of its project's range exactly while the session has errors. The reference is the stored sessions
/// listed without q= and filtered here by their names, ids and error counts, after sessions gain an error, lose it again
/// (an error re-sent as a success), are renamed and removed by retention, and after migrating a file whose documents
/// were all in one range. Pages of 7 by start (the matches read from the index) and by cost (the cost index walked,
/// each row tested) both meet the reference; totalCount is the index's own count.
/// </summary>
public sealed class SessionSearchStatusTests : IAsyncLifetime
{
    private static readonly string[] Words = ["refund", "invoice", "password", "shipping", "Refund policy", "cancel"];

    private SeededStore _store = null!;
    private readonly Random _random = new(280);

    public async Task InitializeAsync() => _store = await SeededStore.CreateAsync(Plan.Free, "p", "other");

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    private static SpanRecord Call(string id, string session, long start, string? name, SpanStatus status, long cost) =>
        Llm(id, session, start, costPico: cost, traceId: "t-" + id, status: status) with { SessionName = name };

    /// <summary>Sessions of 1–3 calls, a third with an error; the same ids and names with other states in another project.</summary>
    private async Task<List<ProjectSpan>> WriteSessionsAsync()
    {
        var spans = new List<ProjectSpan>();
        for (var i = 0; i < 200; i++)
        {
            var session = $"s{i:D3}-{(char)('a' + i % 7)}{i % 11}";
            var name = $"{Words[_random.Next(Words.Length)]} #{_random.Next(100)}";
            for (var c = 0; c < _random.Next(1, 4); c++)
            {
                var cost = _random.NextInt64(1, 50) * 1_000_000;
                spans.Add(new ProjectSpan(_store.Project, Call($"c{i}-{c}", session, Day0 + i * 60_000L + c * 1_000, name, _random.Next(6) == 0 ? SpanStatus.Error : SpanStatus.Ok, cost)));
                spans.Add(new ProjectSpan(_store.OtherProject, Call($"o{i}-{c}", session, Day0 + i * 60_000L + c * 1_000, name, _random.Next(2) == 0 ? SpanStatus.Error : SpanStatus.Ok, cost)));
            }
        }
        await _store.Storage.SpanWriter.WriteAsync(spans);
        // Which project each call was meant for, by its id: c… this one's, o… the other's.
        await _store.AssertHoldsWhatWasSentAsync(spans.Select(s => s.Span).Where(s => s.Id[0] == 'c'), spans.Select(s => s.Span).Where(s => s.Id[0] == 'o'));
        return spans;
    }

    [Fact]
    public async Task SearchWithStatus_EqualsRecomputation_AsSessionsGainAndLoseErrors()
    {
        var spans = await WriteSessionsAsync();
        await VerifyAsync("after the first write");

        // Sessions without errors gain one: a later call that failed.
        var stored = (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Limit = SessionQuery.MaxLimit })).Items;
        var gaining = stored.Where(s => s.ErrorCount == 0).Take(40).ToList();
        await _store.Storage.SpanWriter.WriteAsync(gaining.Select((s, i) => new ProjectSpan(_store.Project, Call($"late{i}", s.SessionId, s.StartedMs + 500_000, null, SpanStatus.Error, 1_000_000))).ToList());
        await VerifyAsync("after sessions gained an error");

        // Every failed call of the first 100 sessions re-sent as a success: those sessions lose their errors again.
        var resent = spans.Where(s => s.ProjectId == _store.Project && s.Span.Status == SpanStatus.Error && string.CompareOrdinal(s.Span.SessionId, "s100") < 0)
            .Select(s => s with { Span = s.Span with { Status = SpanStatus.Ok } }).ToList();
        Assert.True(resent.Count > 5, "too few failed calls to re-send");
        await _store.Storage.SpanWriter.WriteAsync(resent);
        await VerifyAsync("after errors were re-sent as successes");

        // Renames (an earlier call with another explicit name) and retention.
        var renames = stored.Take(30).Select((s, i) => new ProjectSpan(_store.Project, Call($"r{i}", s.SessionId, s.StartedMs - 1_000, $"{Words[_random.Next(Words.Length)]} renamed", i % 2 == 0 ? SpanStatus.Error : SpanStatus.Ok, 2_000_000))).ToList();
        await _store.Storage.SpanWriter.WriteAsync(renames);
        await VerifyAsync("after renames");
        await _store.Storage.Retention.DeleteSpansStartedBeforeAsync(_store.Project, Day0 + 50 * 60_000L, 50);
        await VerifyAsync("after retention");
    }

    [Fact]
    public async Task Migration_MovesTheDocumentsOfSessionsWithErrors()
    {
        await WriteSessionsAsync();
        await using (var connection = await _store.Storage.Database.OpenAsync())
        {
            // The file as migration 160 left it: every document numbered in the lower half, no trigger moving them.
            connection.Execute("""
                DROP TRIGGER sessions_search_move;
                DROP TABLE session_search;
                DROP TABLE session_search_docs;
                CREATE TABLE session_search_docs (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, session_id TEXT NOT NULL, UNIQUE (project_id, session_id));
                CREATE VIRTUAL TABLE session_search USING fts5(session_id, name, content='', contentless_delete=1, detail='full', tokenize='trigram case_sensitive 1');
                INSERT INTO session_search_docs (id, project_id, session_id)
                SELECT project_id * 1099511627776 + ROW_NUMBER() OVER (PARTITION BY project_id ORDER BY session_id), project_id, session_id FROM sessions;
                INSERT INTO session_search (rowid, session_id, name)
                SELECT d.id, lower(s.session_id), lower(s.name) FROM session_search_docs d JOIN sessions s ON s.project_id = d.project_id AND s.session_id = d.session_id;
                DELETE FROM schema_migrations WHERE version IN (280, 340);
                """);
            Assert.Equal(0L, connection.Scalar("SELECT COUNT(*) FROM session_search_docs WHERE id % 1099511627776 >= 549755813888"));
            SqliteConnection.ClearPool(connection);
        }
        await _store.Storage.Database.MigrateAsync();
        await using (var connection = await _store.Storage.Database.OpenAsync())
        {
            // Exactly the sessions with errors are in the upper half, and every session still has its one document.
            Assert.Equal(0L, connection.Scalar("SELECT COUNT(*) FROM session_search_docs d JOIN sessions s USING (project_id, session_id) WHERE (d.id % 1099511627776 >= 549755813888) <> (s.error_count > 0)"));
            Assert.True(connection.Scalar("SELECT COUNT(*) FROM session_search_docs WHERE id % 1099511627776 >= 549755813888") > 10, "too few sessions with errors to tell");
            Assert.Equal(connection.Scalar("SELECT COUNT(*) FROM sessions"), connection.Scalar("SELECT COUNT(*) FROM session_search_docs"));
        }
        await VerifyAsync("after migrating");
        // A new session after the migration continues the numbering of its half.
        await _store.Storage.SpanWriter.WriteAsync([new ProjectSpan(_store.Project, Call("new", "s999-new", Day0 + 999 * 60_000L, "refund new", SpanStatus.Error, 3_000_000))]);
        await VerifyAsync("after a new session");
    }

    private async Task VerifyAsync(string context)
    {
        var stored = (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Limit = SessionQuery.MaxLimit })).Items;
        Assert.True(stored.Count < SessionQuery.MaxLimit);
        Assert.Contains(stored, s => s.ErrorCount > 0);
        Assert.Contains(stored, s => s.ErrorCount == 0);
        foreach (var text in new[] { "refund", "Refund pol", "s01", "voice", "#4", "-c", "zzz" })
        {
            foreach (var status in new[] { SessionStatusFilter.Error, SessionStatusFilter.Ok, SessionStatusFilter.Any })
            {
                var expected = stored.Where(s => (LikeContains(s.SessionId, text) || (s.Name is { } name && LikeContains(name, text)))
                    && (status == SessionStatusFilter.Any || (s.ErrorCount > 0) == (status == SessionStatusFilter.Error))).ToList();
                var filter = new SessionFilter { Query = text, Status = status };
                var byStart = expected.OrderBy(s => s.StartedMs).ThenBy(s => s.SessionId, StringComparer.Ordinal).Select(s => s.SessionId).ToList();
                var (listed, total) = await _store.Storage.PageThroughAsync(_store.Project, filter, SessionSort.StartedAt, descending: false, pageSize: 7);
                Assert.True(byStart.SequenceEqual(listed), $"{context}, q=\"{text}\", {status}: expected [{string.Join(", ", byStart)}], listed [{string.Join(", ", listed)}]");
                Assert.Equal(expected.Count, total);
                var byCost = expected.OrderByDescending(s => s.CostPico).ThenByDescending(s => s.SessionId, StringComparer.Ordinal).Select(s => s.SessionId).ToList();
                (listed, total) = await _store.Storage.PageThroughAsync(_store.Project, filter, SessionSort.CostUsd, descending: true, pageSize: 7);
                Assert.True(byCost.SequenceEqual(listed), $"{context}, q=\"{text}\", {status} by cost: expected [{string.Join(", ", byCost)}], listed [{string.Join(", ", listed)}]");
                Assert.Equal(expected.Count, total);
                // With a time range too (the index's count of q= and status, then each match tested for its start).
                var late = new SessionFilter { Query = text, Status = status, FromMs = Day0 + 100 * 60_000L };
                Assert.Equal(expected.Count(s => s.StartedMs >= late.FromMs), (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Filter = late, Limit = 3 })).TotalCount);
            }
        }
    }
}
