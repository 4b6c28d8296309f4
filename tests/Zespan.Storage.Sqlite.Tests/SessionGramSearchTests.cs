using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using static Zespan.Storage.Conformance.TestSpans;

using static Zespan.Storage.Sqlite.Tests.SessionSearchKit;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// q= of one or two characters through the gram index (migration 350), which SessionGramIndexer fills outside the writer:
/// at every moment — the indexer never run (every document pending), run part of the way, run to the end — the list,
/// its totalCount and the stats equal the LIKE answer recomputed here from the stored names and ids. Ids and names are
/// random over LIKE's and FTS5's metacharacters, quotes, case pairs, É/é, the Kelvin sign, an emoji and char(1) itself
/// (the gram separator); texts include every single character, pairs, pieces of stored values and pairs spanning the
/// end of an id and the start of its name (which must not match). Through renames, sessions gaining and losing errors
/// (their documents move between halves), starts moving to an earlier day and retention; with status, time ranges
/// (whole and cut days) and turns beside q=, pages of 7 by start and by cost.
/// </summary>
public sealed class SessionGramSearchTests : IAsyncLifetime
{
    private static readonly string[] Alphabet = ["a", "A", "b", "k", "K", "\u212A", "é", "É", "%", "_", "\\", "'", "\"", " ", "😀", "\u0001", "x"];

    private SeededStore _store = null!;
    private readonly Random _random = new(350);

    public async Task InitializeAsync() => _store = await SeededStore.CreateAsync(Plan.Free, "p", "other");

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    private string RandomText(int min, int max) => _random.Text(Alphabet, min, max);

    private static SpanRecord Call(string id, string session, long start, string? name, SpanStatus status) =>
        Llm(id, session, start, costPico: 1_000_000 * (1 + id.Length % 5 + start % 3), traceId: "t-" + id, status: status) with { SessionName = name };

    [Fact]
    public async Task ShortSearch_EqualsLike_PendingPartlyIndexedAndIndexed_ThroughRenamesMovesAndRetention()
    {
        // 150 sessions over five days, a third near a midnight, 1–3 calls, some failing; the same ids and names elsewhere.
        var spans = new List<ProjectSpan>();
        for (var i = 0; i < 150; i++)
        {
            var session = $"{RandomText(0, 2)}{i:D3}{RandomText(0, 3)}";
            var name = i % 6 == 0 ? null : RandomText(1, 9);
            var start = i % 3 == 0 ? Day0 + _random.Next(1, 5) * Day + _random.NextInt64(-Hour, Hour) : Day0 + _random.NextInt64(5 * Day);
            for (var c = 0; c < _random.Next(1, 4); c++)
            {
                var status = _random.Next(5) == 0 ? SpanStatus.Error : SpanStatus.Ok;
                spans.Add(new ProjectSpan(_store.Project, Call($"c{i}-{c}", session, start + c * 60_000L, name, status)));
                spans.Add(new ProjectSpan(_store.OtherProject, Call($"o{i}-{c}", session, start + c * 60_000L, name, SpanStatus.Ok)));
            }
        }
        await _store.Storage.SpanWriter.WriteAsync(spans);
        Assert.Equal(300, await PendingAsync());
        await VerifyAsync("every document pending");
        await _store.Storage.GramIndexer.IndexBatchAsync(batch: 40);
        await _store.Storage.GramIndexer.IndexBatchAsync(batch: 40);
        Assert.Equal(220, await PendingAsync());
        await VerifyAsync("part indexed");
        await _store.Storage.GramIndexer.IndexAllAsync(batch: 64);
        await VerifyIndexAsync();
        await VerifyAsync("indexed");

        // Renames: an earlier call with another explicit name takes over (the session is rebuilt: its row deleted and
        // inserted again), and a later call names a session that had no name (the writer's upsert renames it in place).
        var stored = (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Limit = SessionQuery.MaxLimit })).Items;
        await _store.Storage.SpanWriter.WriteAsync(stored.Where((_, i) => i % 4 == 0)
            .Select((s, i) => new ProjectSpan(_store.Project, Call($"r{i}", s.SessionId, s.StartedMs - 1_000, RandomText(1, 6), SpanStatus.Ok))).ToList());
        Assert.True(await PendingAsync() > 30, "renamed documents are pending");
        await VerifyAsync("after renames, pending");
        await _store.Storage.GramIndexer.IndexAllAsync(batch: 16);
        await VerifyIndexAsync();
        var unnamed = (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Limit = SessionQuery.MaxLimit })).Items.Where(s => s.Name is null).ToList();
        Assert.True(unnamed.Count > 10, "too few unnamed sessions to name");
        await _store.Storage.SpanWriter.WriteAsync(unnamed.Select((s, i) => new ProjectSpan(_store.Project, Call($"n{i}", s.SessionId, s.StartedMs + 30_000, RandomText(1, 6), SpanStatus.Ok))).ToList());
        Assert.Equal(unnamed.Count, await PendingAsync());
        await VerifyAsync("after naming in place, pending");
        await _store.Storage.GramIndexer.IndexAllAsync();
        await VerifyIndexAsync();

        // Moves: sessions without errors gain one (to the error half), others start a day or an hour earlier (another day).
        stored = (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Limit = SessionQuery.MaxLimit })).Items;
        var moves = stored.Where(s => s.ErrorCount == 0).Take(30).Select((s, i) => Call($"e{i}", s.SessionId, s.StartedMs + 90_000, null, SpanStatus.Error))
            .Concat(stored.Where((_, i) => i % 5 == 2).Select((s, i) => Call($"d{i}", s.SessionId, s.StartedMs - (i % 2 == 0 ? Day : s.StartedMs % Day + 1), null, SpanStatus.Ok)))
            .Select(s => new ProjectSpan(_store.Project, s)).ToList();
        await _store.Storage.SpanWriter.WriteAsync(moves);
        await VerifyAsync("after moves, pending");
        await _store.Storage.GramIndexer.IndexBatchAsync(batch: 20);
        await VerifyAsync("after moves, part indexed");
        await _store.Storage.GramIndexer.IndexAllAsync();
        await VerifyIndexAsync();
        await VerifyAsync("after moves, indexed");

        // The triggers on their own, in statements the writer does not issue today (it rebuilds a session a call starts
        // earlier than): a start a day earlier in place, a rename, an error count turning positive, and all three at
        // once, on indexed documents and on a pending one (the last statement's session is renamed twice).
        await using (var connection = await _store.Storage.Database.OpenAsync())
        {
            var some = (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Limit = 40 })).Items.Select(s => s.SessionId).ToList();
            void Update(string set, int index, string? name = null)
            {
                using var update = connection.CreateCommand();
                update.CommandText = $"UPDATE sessions SET {set} WHERE project_id = $p AND session_id = $s";
                update.Parameters.AddWithValue("$p", _store.Project);
                update.Parameters.AddWithValue("$s", some[index]);
                update.Parameters.AddWithValue("$name", (object?)name ?? DBNull.Value);
                update.ExecuteNonQuery();
            }
            for (var i = 0; i < 8; i++)
            {
                Update("started_ms = started_ms - 86400000", i);
                Update("name = $name", 8 + i, RandomText(1, 6));
                Update("error_count = error_count + 1", 16 + i);
                Update("started_ms = started_ms - 86400000, name = $name, error_count = error_count + 1", 24 + i, RandomText(0, 6));
                Update("started_ms = started_ms + 1, name = $name", 24 + i, RandomText(1, 6));
            }
        }
        await VerifyAsync("after updates in place, pending");
        await _store.Storage.GramIndexer.IndexAllAsync();
        await VerifyIndexAsync();

        // Every failed call re-sent as a success: sessions leave the error half again; then retention removes the oldest.
        await _store.Storage.SpanWriter.WriteAsync(spans.Concat(moves).Where(s => s.ProjectId == _store.Project && s.Span.Status == SpanStatus.Error)
            .Select(s => s with { Span = s.Span with { Status = SpanStatus.Ok } }).ToList());
        await _store.Storage.Retention.DeleteSpansStartedBeforeAsync(_store.Project, Day0 + 2 * Day, 50);
        await VerifyAsync("after errors lost and retention, pending");
        await _store.Storage.GramIndexer.IndexAllAsync();
        await VerifyIndexAsync();
        await VerifyAsync("after errors lost and retention, indexed");
    }

    /// <summary>
    /// Nothing pending, and one entry per document: no stale entry left behind by a rename, move or deletion. No removed
    /// text left to subtract, and the per-character counts (migration 390) equal a recount of the stored ids and names.
    /// </summary>
    private async Task VerifyIndexAsync()
    {
        Assert.Equal(0, await PendingAsync());
        await using var connection = await _store.Storage.Database.OpenAsync();
        Assert.Equal(connection.Scalar("SELECT count(*) FROM session_search_docs"), connection.Scalar("SELECT count(*) FROM session_grams_docsize"));
        Assert.Equal(0L, connection.Scalar("SELECT count(*) FROM session_grams_docsize WHERE id NOT IN (SELECT id FROM session_search_docs)"));
        Assert.Equal(0L, connection.Scalar("SELECT count(*) FROM session_grams_removed"));
        foreach (var project in new[] { _store.Project, _store.OtherProject })
        {
            var stored = (await _store.Storage.Sessions.ListAsync(project, new SessionQuery { Limit = SessionQuery.MaxLimit })).Items;
            Assert.True(stored.Count < SessionQuery.MaxLimit);
            var counted = new Dictionary<string, long>(StringComparer.Ordinal);
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT gram, documents FROM session_gram_counts WHERE project_id = $p";
                command.Parameters.AddWithValue("$p", project);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                    counted.Add(reader.GetString(0), reader.GetInt64(1));
            }
            foreach (var gram in counted.Keys.Concat(Alphabet.Select(a => a is [>= 'A' and <= 'Z'] ? a.ToLowerInvariant() : a)).Distinct())
            {
                var expected = stored.Count(s => LikeContains(s.SessionId, gram) || (s.Name is { } name && LikeContains(name, gram)));
                Assert.True(expected == counted.GetValueOrDefault(gram), $"project {project}, {Show(new SessionFilter { Query = gram })}: counted {counted.GetValueOrDefault(gram)}, expected {expected}");
            }
        }
    }

    private async Task<long> PendingAsync()
    {
        await using var connection = await _store.Storage.Database.OpenAsync();
        return connection.Scalar("SELECT count(*) FROM session_grams_pending");
    }

    private async Task VerifyAsync(string context)
    {
        var stored = (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Limit = SessionQuery.MaxLimit })).Items;
        Assert.True(stored.Count < SessionQuery.MaxLimit);
        var texts = new List<string>(Alphabet) { "aa", "ab", "AB", "kK", "%_", "\\%", "\"\"", "x😀", "😀x", "éÉ", "a\u0001", "00", "01" };
        for (var i = 0; i < 12; i++)
        {
            // Two-character pieces of stored values, and the end of an id with the start of its name (no match unless elsewhere).
            var source = stored[_random.Next(stored.Count)];
            var id = Runes(source.SessionId);
            var piece = i % 2 == 0 && source.Name is { } name && Runes(name) is { Length: >= 2 } named
                ? named.Skip(_random.Next(named.Length - 1)).Take(2)
                : id.Skip(_random.Next(id.Length - 1)).Take(2);
            texts.Add(string.Concat(piece));
            if (source.Name is { Length: > 0 } withName)
                texts.Add(id[^1] + Runes(withName)[0]);
            texts.Add(RandomText(2, 2));
        }
        var filters = new List<SessionFilter>();
        foreach (var text in texts.Distinct())
        {
            filters.Add(new SessionFilter { Query = text });
            filters.Add(new SessionFilter { Query = text, Status = _random.Next(2) == 0 ? SessionStatusFilter.Error : SessionStatusFilter.Ok });
            filters.Add(_random.Next(3) switch
            {
                0 => new SessionFilter { Query = text, FromMs = Day0 + Day, ToMs = Day0 + 4 * Day },
                1 => new SessionFilter { Query = text, FromMs = Day0 + 2 * Day + 5 * Hour, Status = SessionStatusFilter.Error },
                _ => new SessionFilter { Query = text, ToMs = Day0 + 3 * Day - 1, MinTurns = 2 },
            });
        }
        foreach (var filter in filters)
        {
            var expected = stored.Where(s => Keeps(filter, s)).ToList();
            var byStart = expected.OrderBy(s => s.StartedMs).ThenBy(s => s.SessionId, StringComparer.Ordinal).Select(s => s.SessionId).ToList();
            var (listed, total) = await _store.Storage.PageThroughAsync(_store.Project, filter, SessionSort.StartedAt, descending: false, pageSize: 7);
            Assert.True(byStart.SequenceEqual(listed), $"{context}, {Show(filter)}: expected [{string.Join(", ", byStart)}], listed [{string.Join(", ", listed)}]");
            Assert.True(expected.Count == total, $"{context}, {Show(filter)}: totalCount {total}, expected {expected.Count}");
            var byCost = expected.OrderByDescending(s => s.CostPico).ThenByDescending(s => s.SessionId, StringComparer.Ordinal).Select(s => s.SessionId).ToList();
            (listed, total) = await _store.Storage.PageThroughAsync(_store.Project, filter, SessionSort.CostUsd, descending: true, pageSize: 7);
            Assert.True(byCost.SequenceEqual(listed), $"{context}, {Show(filter)} by cost: expected [{string.Join(", ", byCost)}], listed [{string.Join(", ", listed)}]");
            Assert.True(expected.Count == total, $"{context}, {Show(filter)} by cost: totalCount {total}, expected {expected.Count}");
            if (filter.FromMs is null && filter.ToMs is null && filter.MinTurns is null)
                Assert.Equal(expected.Count, (await _store.Storage.Sessions.StatsAsync(_store.Project, filter)).Sessions);
        }
    }

    private static string[] Runes(string text) => [.. text.EnumerateRunes().Select(r => r.ToString())];

    private static string Show(SessionFilter filter) => filter with { Query = string.Concat(filter.Query!.Select(c => c < ' ' ? $"\\u{(int)c:X4}" : c.ToString())) } + "";

    private static bool Keeps(SessionFilter f, SessionSummary s) =>
        (LikeContains(s.SessionId, f.Query!) || (s.Name is { } name && LikeContains(name, f.Query!)))
        && (f.FromMs is not { } from || s.StartedMs >= from) && (f.ToMs is not { } to || s.StartedMs < to)
        && (f.Status == SessionStatusFilter.Any || (s.ErrorCount > 0) == (f.Status == SessionStatusFilter.Error))
        && (f.MinTurns is not { } minTurns || s.Turns >= minTurns);

    [Fact]
    public async Task ShortSearch_WithABacklog_IsTheScan_ThenTheIndex_AndTheSameAnswer()
    {
        // Over 1,000 pending documents (as right after migration 350 on a large file) the list takes the LIKE scan.
        var spans = Enumerable.Range(0, 1_100).Select(i => new ProjectSpan(_store.Project, Call($"b{i}", $"b{i:D4}{RandomText(0, 2)}", Day0 + i * 60_000L, RandomText(1, 5), SpanStatus.Ok))).ToList();
        await _store.Storage.SpanWriter.WriteAsync(spans);
        var stored = (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Limit = SessionQuery.MaxLimit })).Items.ToList();
        for (var page = stored; page.Count == SessionQuery.MaxLimit;)
        {
            page = [.. (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Limit = SessionQuery.MaxLimit, After = SessionCursor.Of(stored[^1], SessionSort.StartedAt, true) })).Items];
            stored.AddRange(page);
        }
        Assert.Equal(1_100, stored.Count);
        foreach (var state in new[] { "pending", "indexed" })
        {
            foreach (var text in new[] { "a", "K", "00", "b0", "é%", "😀", "\\" })
            {
                var filter = new SessionFilter { Query = text };
                var expected = stored.Where(s => Keeps(filter, s)).OrderByDescending(s => s.StartedMs).Select(s => s.SessionId).ToList();
                var page = await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Filter = filter, Limit = 7 });
                Assert.True(expected.Count == page.TotalCount, $"{state}, q={text}: totalCount {page.TotalCount}, expected {expected.Count}");
                Assert.Equal(expected.Take(7), page.Items.Select(s => s.SessionId));
            }
            await _store.Storage.GramIndexer.IndexAllAsync();
        }
    }

    [Fact]
    public void Token_IsOneGram_FoldsOnlyAsciiLetters_AndLeavesOtherTextsAlone()
    {
        Assert.Equal("\"\u0001a\u0001\"", SessionGrams.Token("A"));
        Assert.Equal("\"a\u0001\"\"\"", SessionGrams.Token("a\""));
        Assert.Equal("\"\u212A\u0001é\"", SessionGrams.Token("\u212Aé"));
        Assert.Equal("\"\u0001😀\u0001\"", SessionGrams.Token("😀"));
        Assert.Null(SessionGrams.Token(""));
        Assert.Null(SessionGrams.Token("abc"));
        Assert.Null(SessionGrams.Token("a\u0001"));
        Assert.Null(SessionGrams.Token("\0"));
        Assert.Equal("\u0001a\u0001b\u0001", SessionGrams.Indexed("Ab"));
        Assert.Equal("\u0001a\u0001", SessionGrams.Indexed("A\0b"));
        Assert.Null(SessionGrams.Indexed(null));
    }
}
