using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using static Zespan.Storage.Conformance.TestSpans;

using static Zespan.Storage.Sqlite.Tests.SessionSearchKit;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// q= beside every other list filter, with the search documents ordered by start day (migration 340): a time range's
/// whole days are counted in the index, its cut days and the other dimensions tested row by row, a user's sessions walked
/// when fewer than the matches. The reference is the stored sessions listed without q= and filtered here. Sessions start
/// near midnights; then sessions move to an earlier day (a late call that began before), gain and lose errors, are
/// renamed and removed by retention, and a file with the 280 layout is migrated. Ranges: whole days, cut days, exact
/// midnights, open ends, empty, before and after the data.
/// </summary>
public sealed class SessionSearchDaysTests : IAsyncLifetime
{
    private static readonly string[] Words = ["refund", "invoice", "Refund policy", "cancel"];

    private SeededStore _store = null!;
    private readonly Random _random = new(340);

    public async Task InitializeAsync() => _store = await SeededStore.CreateAsync(Plan.Free, "p", "other");

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    private static SpanRecord Call(string id, string session, long start, string? name, SpanStatus status, string user) =>
        Llm(id, session, start, costPico: 1_000_000 * (1 + id.Length % 7), traceId: "t-" + id, status: status, userId: user) with { SessionName = name };

    /// <summary>160 sessions over five days, a third of them within an hour of a midnight; 1–4 calls each; the same in another project.</summary>
    private async Task<List<ProjectSpan>> WriteSessionsAsync()
    {
        var spans = new List<ProjectSpan>();
        for (var i = 0; i < 160; i++)
        {
            var session = $"s{i:D3}-{(char)('a' + i % 5)}";
            var name = $"{Words[_random.Next(Words.Length)]} #{_random.Next(50)}";
            var start = i % 3 == 0 ? Day0 + _random.Next(1, 5) * Day + _random.NextInt64(-Hour, Hour) : Day0 + _random.NextInt64(5 * Day);
            for (var c = 0; c < _random.Next(1, 5); c++)
            {
                var status = _random.Next(6) == 0 ? SpanStatus.Error : SpanStatus.Ok;
                spans.Add(new ProjectSpan(_store.Project, Call($"c{i}-{c}", session, start + c * 60_000L, name, status, $"user-{i % 9}")));
                spans.Add(new ProjectSpan(_store.OtherProject, Call($"o{i}-{c}", session, start - Day + c * 60_000L, name, status, $"user-{i % 9}")));
            }
        }
        await _store.Storage.SpanWriter.WriteAsync(spans);
        // Which project each call was meant for, by its id: c… this one's, o… the other's.
        await _store.AssertHoldsWhatWasSentAsync(spans.Select(s => s.Span).Where(s => s.Id[0] == 'c'), spans.Select(s => s.Span).Where(s => s.Id[0] == 'o'));
        return spans;
    }

    [Fact]
    public async Task SearchBesideEveryFilter_EqualsRecomputation_AsStartsMoveAndErrorsChange()
    {
        var spans = await WriteSessionsAsync();
        await VerifyAsync("after the first write");

        // Late calls that began earlier: a third of the sessions move to the day before (some across one midnight only).
        var stored = (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Limit = SessionQuery.MaxLimit })).Items;
        var moving = stored.Where((_, i) => i % 3 == 1).ToList();
        await _store.Storage.SpanWriter.WriteAsync(moving.Select((s, i) => new ProjectSpan(_store.Project,
            Call($"early{i}", s.SessionId, s.StartedMs - (i % 2 == 0 ? Day : s.StartedMs % Day + 1), null, i % 4 == 0 ? SpanStatus.Error : SpanStatus.Ok, "user-late"))).ToList());
        await VerifyAsync("after starts moved to earlier days");

        // Every failed call of the project re-sent as a success: sessions leave the error half, into their day.
        var resent = spans.Where(s => s.ProjectId == _store.Project && s.Span.Status == SpanStatus.Error).Select(s => s with { Span = s.Span with { Status = SpanStatus.Ok } }).ToList();
        await _store.Storage.SpanWriter.WriteAsync(resent);
        await VerifyAsync("after errors were re-sent as successes");

        var renames = stored.Take(30).Select((s, i) => new ProjectSpan(_store.Project, Call($"r{i}", s.SessionId, s.StartedMs - 1_000, $"{Words[_random.Next(Words.Length)]} renamed", SpanStatus.Ok, "user-r"))).ToList();
        await _store.Storage.SpanWriter.WriteAsync(renames);
        await VerifyAsync("after renames");
        await _store.Storage.Retention.DeleteSpansStartedBeforeAsync(_store.Project, Day0 + 2 * Day, 50);
        await VerifyAsync("after retention");
    }

    [Fact]
    public async Task Migration_OrdersTheDocumentsByStartDay()
    {
        await WriteSessionsAsync();
        await using (var connection = await _store.Storage.Database.OpenAsync())
        {
            // The file as migration 280 left it: a half's documents numbered in session id order, no day in the id. 340
            // replaces 280's error-state trigger, which 420 merged into one with 340's: a stand-in takes its place (nothing
            // is written before the migration runs).
            connection.Execute("""
                DROP TRIGGER sessions_search_move;
                CREATE TRIGGER sessions_search_error_state AFTER UPDATE OF error_count ON sessions BEGIN SELECT 1; END;
                INSERT INTO session_search (session_search) VALUES ('delete-all');
                CREATE TEMP TABLE layout AS
                SELECT id AS old_id, project_id * 1099511627776 + (id % 1099511627776 >= 549755813888) * 549755813888
                    + ROW_NUMBER() OVER (PARTITION BY project_id, id % 1099511627776 >= 549755813888 ORDER BY session_id) AS new_id
                FROM session_search_docs;
                UPDATE session_search_docs SET id = -(SELECT new_id FROM layout WHERE old_id = session_search_docs.id);
                UPDATE session_search_docs SET id = -id;
                DROP TABLE layout;
                INSERT INTO session_search (rowid, session_id, name)
                SELECT d.id, lower(s.session_id), lower(s.name) FROM session_search_docs d JOIN sessions s ON s.project_id = d.project_id AND s.session_id = d.session_id;
                DELETE FROM schema_migrations WHERE version = 340;
                """);
            Assert.True(connection.Scalar("SELECT COUNT(*) FROM session_search_docs WHERE id % 549755813888 >= 16777216") == 0, "the 280 layout has no day");
            SqliteConnection.ClearPool(connection);
        }
        await _store.Storage.Database.MigrateAsync();
        await using (var connection = await _store.Storage.Database.OpenAsync())
        {
            // Every document in its project, error half and start day, and one per session.
            Assert.Equal(0L, connection.Scalar("""
                SELECT COUNT(*) FROM session_search_docs d JOIN sessions s USING (project_id, session_id)
                WHERE d.id / 1099511627776 <> s.project_id OR (d.id % 1099511627776 >= 549755813888) <> (s.error_count > 0)
                   OR d.id % 549755813888 / 16777216 <> s.started_ms / 86400000
                """));
            Assert.Equal(connection.Scalar("SELECT COUNT(*) FROM sessions"), connection.Scalar("SELECT COUNT(*) FROM session_search_docs"));
        }
        await VerifyAsync("after migrating");
        await _store.Storage.SpanWriter.WriteAsync([new ProjectSpan(_store.Project, Call("new", "s999-new", Day0 + 2 * Day + 5, "refund new", SpanStatus.Error, "user-1"))]);
        await VerifyAsync("after a new session");
    }

    /// <summary>Ranges at midnights, inside days, open at either end, empty, and outside the data.</summary>
    private static IEnumerable<(long? From, long? To)> Ranges()
    {
        yield return (Day0 + Day, Day0 + 4 * Day);
        yield return (Day0 + Day + 13 * Hour, null);
        yield return (Day0 + 2 * Day + 5 * Hour, Day0 + 4 * Day + 20 * Hour);
        yield return (null, Day0 + 3 * Day - 1);
        yield return (Day0 + 2 * Day - 1, Day0 + 2 * Day + 1);
        yield return (Day0 + 3 * Day, Day0 + 3 * Day);
        yield return (Day0 + 4 * Day + 5 * Hour, Day0 + 2 * Day);
        yield return (Day0 - 30 * Day, Day0 - 29 * Day);
        yield return (0, null);
        yield return (-5 * Day, Day0 + 3 * Day + 7 * Hour);
    }

    private async Task VerifyAsync(string context)
    {
        var stored = (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Limit = SessionQuery.MaxLimit })).Items;
        Assert.True(stored.Count < SessionQuery.MaxLimit);
        var filters = new List<SessionFilter>();
        foreach (var text in new[] { "refund", "Refund pol", "s01", "voice", "-c" })
        {
            foreach (var (from, to) in Ranges())
            {
                filters.Add(new SessionFilter { Query = text, FromMs = from, ToMs = to });
                filters.Add(new SessionFilter { Query = text, FromMs = from, ToMs = to, Status = SessionStatusFilter.Error });
                filters.Add(new SessionFilter { Query = text, FromMs = from, ToMs = to, Status = SessionStatusFilter.Ok });
                filters.Add(new SessionFilter { Query = text, FromMs = from, ToMs = to, MinTurns = 2 });
            }
            filters.Add(new SessionFilter { Query = text, MaxTurns = 2 });
            filters.Add(new SessionFilter { Query = text, MinActiveMs = 100_000 });
            filters.Add(new SessionFilter { Query = text, FromMs = Day0 + Day + 3 * Hour, MaxActiveMs = 100_000, Status = SessionStatusFilter.Ok });
            foreach (var user in new[] { "user-3", "user-late", "nobody" })
            {
                filters.Add(new SessionFilter { Query = text, UserId = user });
                filters.Add(new SessionFilter { Query = text, UserId = user, FromMs = Day0 + 2 * Day, MinTurns = 2 });
            }
        }
        foreach (var filter in filters)
        {
            var expected = stored.Where(s => Keeps(filter, s)).ToList();
            var byStart = expected.OrderByDescending(s => s.StartedMs).ThenByDescending(s => s.SessionId, StringComparer.Ordinal).Select(s => s.SessionId).ToList();
            var (listed, total) = await _store.Storage.PageThroughAsync(_store.Project, filter, SessionSort.StartedAt, descending: true, pageSize: 9);
            Assert.True(byStart.SequenceEqual(listed), $"{context}, {filter}: expected [{string.Join(", ", byStart)}], listed [{string.Join(", ", listed)}]");
            Assert.True(expected.Count == total, $"{context}, {filter}: totalCount {total}, expected {expected.Count}");
            var byCost = expected.OrderByDescending(s => s.CostPico).ThenByDescending(s => s.SessionId, StringComparer.Ordinal).Select(s => s.SessionId).ToList();
            (listed, total) = await _store.Storage.PageThroughAsync(_store.Project, filter, SessionSort.CostUsd, descending: true, pageSize: 9);
            Assert.True(byCost.SequenceEqual(listed), $"{context}, {filter} by cost: expected [{string.Join(", ", byCost)}], listed [{string.Join(", ", listed)}]");
            Assert.True(expected.Count == total, $"{context}, {filter} by cost: totalCount {total}, expected {expected.Count}");
        }
    }

    private static bool Keeps(SessionFilter f, SessionSummary s) =>
        (LikeContains(s.SessionId, f.Query!) || (s.Name is { } name && LikeContains(name, f.Query!)))
        && (f.FromMs is not { } from || s.StartedMs >= from) && (f.ToMs is not { } to || s.StartedMs < to)
        && (f.Status == SessionStatusFilter.Any || (s.ErrorCount > 0) == (f.Status == SessionStatusFilter.Error))
        && (f.MinTurns is not { } minTurns || s.Turns >= minTurns) && (f.MaxTurns is not { } maxTurns || s.Turns <= maxTurns)
        && (f.MinActiveMs is not { } minActive || s.ActiveMs >= minActive) && (f.MaxActiveMs is not { } maxActive || s.ActiveMs <= maxActive)
        && (f.UserId is null || s.UserId == f.UserId);
}
