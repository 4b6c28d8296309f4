using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using static Zespan.Storage.Conformance.TestSpans;

using static Zespan.Storage.Sqlite.Tests.SessionSearchKit;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// q= beside turns and active time through the matches' figures (migration 360), which SessionGramIndexer copies outside
/// the writer: at every moment — the indexer never run (every document pending), run part of the way, run to the end —
/// the list and its totalCount equal the LIKE answer recomputed here from the stored session rows, for texts of one, two
/// and more characters (both search indexes), with status and time ranges (whole and cut days), paged by 7 in every order
/// the figures hold (start, cost with unpriced sessions, turns, active time) and one they do not (duration), so the walk,
/// the figures read keys first and the joined matches are all taken. Through calls that add turns and idle gaps, renames,
/// sessions gaining and losing errors (their documents move), starts moving to an earlier day, and retention.
/// </summary>
public sealed class SessionSearchFactsTests : IAsyncLifetime
{
    private static readonly string[] Words = ["refund", "Refund please", "order status", "cancel my order", "abacus", "x", "REFUNDED twice", "ab"];

    private SeededStore _store = null!;
    private readonly Random _random = new(360);

    public async Task InitializeAsync() => _store = await SeededStore.CreateAsync(Plan.Free, "p", "other");

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    /// <summary>A call: a fifth unpriced, latencies and gaps varied so that turns, active time and cost all differ.</summary>
    private SpanRecord Call(string id, string session, long start, string? name, SpanStatus status = SpanStatus.Ok) =>
        Llm(id, session, start, latencyMs: 1_000 + _random.Next(60_000), costPico: _random.Next(5) == 0 ? null : 1_000_000L * _random.Next(1, 9),
            traceId: "t-" + id, status: status) with
        { SessionName = name };

    /// <summary>Calls of a session from start: one to six, 1–4 minutes apart or, now and then, 10 minutes (an idle gap).</summary>
    private IEnumerable<SpanRecord> Calls(string prefix, string session, long start, string? name)
    {
        var at = start;
        for (var c = 0; c < _random.Next(1, 7); c++)
        {
            yield return Call($"{prefix}-{c}", session, at, name, _random.Next(6) == 0 ? SpanStatus.Error : SpanStatus.Ok);
            at += _random.Next(4) == 0 ? 10 * 60_000L : _random.Next(1, 5) * 60_000L;
        }
    }

    [Fact]
    public async Task TurnsAndActiveTimeBesideQ_EqualLike_PendingPartlyCopiedAndCopied_ThroughChangesMovesAndRetention()
    {
        var spans = new List<ProjectSpan>();
        for (var i = 0; i < 160; i++)
        {
            var session = $"s{i:D3}{(char)('a' + _random.Next(4))}";
            var name = i % 7 == 0 ? null : Words[_random.Next(Words.Length)];
            var start = i % 3 == 0 ? Day0 + _random.Next(1, 5) * Day + _random.NextInt64(-Hour, Hour) : Day0 + _random.NextInt64(5 * Day);
            spans.AddRange(Calls($"c{i}", session, start, name).Select(s => new ProjectSpan(_store.Project, s)));
            spans.AddRange(Calls($"o{i}", session, start, name).Select(s => new ProjectSpan(_store.OtherProject, s)));
        }
        // A few long sessions, so that turns bounds above 16 cut a turns band of migration 400 (SessionFigureBands).
        for (var i = 0; i < 12; i++)
        {
            var session = $"long{i:D2}";
            var start = Day0 + _random.NextInt64(4 * Day);
            spans.AddRange(Enumerable.Range(0, _random.Next(17, 70)).Select(c =>
                new ProjectSpan(_store.Project, Call($"l{i}-{c}", session, start + c * 60_000L, Words[i % Words.Length]))));
        }
        await _store.Storage.SpanWriter.WriteAsync(spans);
        Assert.Equal(332, await PendingAsync());
        await VerifyAsync("every document pending");
        await _store.Storage.GramIndexer.IndexBatchAsync(batch: 50);
        await _store.Storage.GramIndexer.IndexBatchAsync(batch: 50);
        Assert.Equal(232, await PendingAsync());
        await VerifyAsync("part copied");
        await _store.Storage.GramIndexer.IndexAllAsync(batch: 64);
        await VerifyFactsAsync();
        await VerifyAsync("copied");

        // More calls to a third of the sessions (turns, cost and active time change; some with a gap, some failing), a
        // few renamed by an earlier call with another name (the session is rebuilt), some starting a day or an hour earlier.
        var stored = await StoredAsync();
        var changes = stored.Where((_, i) => i % 3 == 0)
            .SelectMany((s, i) => Calls($"m{i}", s.SessionId, s.EndedMs + (i % 2 == 0 ? 20 * 60_000L : 60_000L), s.Name))
            .Concat(stored.Where((_, i) => i % 11 == 1).Select((s, i) => Call($"r{i}", s.SessionId, s.StartedMs - 1_000, Words[i % Words.Length] + " renamed")))
            .Concat(stored.Where((_, i) => i % 7 == 2).Select((s, i) => Call($"d{i}", s.SessionId, s.StartedMs - (i % 2 == 0 ? Day : s.StartedMs % Day + 1), null)))
            .Select(s => new ProjectSpan(_store.Project, s)).ToList();
        await _store.Storage.SpanWriter.WriteAsync(changes);
        Assert.True(await PendingAsync() > 50, "changed sessions are pending");
        await VerifyAsync("after changes, pending");
        await _store.Storage.GramIndexer.IndexBatchAsync(batch: 25);
        await VerifyAsync("after changes, part copied");
        await _store.Storage.GramIndexer.IndexAllAsync(batch: 16);
        await VerifyFactsAsync();
        await VerifyAsync("after changes, copied");

        // Every failed call re-sent as a success (sessions leave the error half), then retention removes the oldest.
        await _store.Storage.SpanWriter.WriteAsync(spans.Concat(changes).Where(s => s.ProjectId == _store.Project && s.Span.Status == SpanStatus.Error)
            .Select(s => s with { Span = s.Span with { Status = SpanStatus.Ok } }).ToList());
        await _store.Storage.Retention.DeleteSpansStartedBeforeAsync(_store.Project, Day0 + 2 * Day, 50);
        await VerifyAsync("after errors lost and retention, pending");
        await _store.Storage.GramIndexer.IndexAllAsync();
        await VerifyFactsAsync();
        await VerifyAsync("after errors lost and retention, copied");
    }

    /// <summary>
    /// One indexer batch writes each banded index as one FTS5 segment. FTS5 starts a new segment whenever a transaction's
    /// rowids go down, and its merges then grow with the index (beside 1 M spans, 60 µs per span instead of 12), so the
    /// entries must go in ascending rowid order, not in document order (band-major rowids go down at each band change).
    /// </summary>
    [Fact]
    public async Task OneIndexerBatch_WritesEachBandedIndexAsOneSegment()
    {
        // Sessions of one day (ascending document ids) whose turn counts go up and down: 1–6, then 1–6, …
        var spans = Enumerable.Range(0, 60).SelectMany(i => Enumerable.Range(0, 1 + i % 6).Select(c =>
            new ProjectSpan(_store.Project, Call($"b{i}-{c}", $"band{i:D2}", Day0 + i * 60_000L + c * 1_000L, Words[i % Words.Length])))).ToList();
        await _store.Storage.SpanWriter.WriteAsync(spans);
        Assert.Equal(60, await _store.Storage.GramIndexer.IndexBatchAsync(batch: 100));
        Assert.Equal(0, await PendingAsync());
        await using var connection = await _store.Storage.Database.OpenAsync();
        foreach (var figure in SessionSearchBands.Figures)
        {
            Assert.Equal(60, connection.Scalar($"SELECT count(*) FROM {figure.Table}"));
            Assert.Equal(1, connection.Scalar($"SELECT count(DISTINCT segid) FROM {figure.Table}_idx"));
        }
    }

    private async Task<List<SessionSummary>> StoredAsync()
    {
        var stored = (await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Limit = SessionQuery.MaxLimit })).Items.ToList();
        Assert.True(stored.Count < SessionQuery.MaxLimit);
        return stored;
    }

    /// <summary>Nothing pending, and one row per document holding its session's current figures and its id, in both widths (migration 380).</summary>
    private async Task VerifyFactsAsync()
    {
        Assert.Equal(0, await PendingAsync());
        await using var connection = await _store.Storage.Database.OpenAsync();
        var documents = connection.Scalar("SELECT count(*) FROM session_search_docs");
        Assert.Equal(documents, connection.Scalar("SELECT count(*) FROM session_search_facts"));
        Assert.Equal(documents, connection.Scalar("""
            SELECT count(*) FROM session_search_facts k JOIN session_search_docs d ON d.id = k.id
            JOIN sessions s ON s.project_id = d.project_id AND s.session_id = d.session_id
            WHERE k.turns = s.turns AND k.active_ms = s.active_ms AND k.started_ms = s.started_ms AND k.unpriced_calls = s.unpriced_calls
              AND k.cost_high = s.cost_high AND k.cost_pico = s.cost_pico AND k.session_id = s.session_id
            """));
        // The narrow copy the counts read (migration 380): the same documents, the same filter columns.
        Assert.Equal(documents, connection.Scalar("SELECT count(*) FROM session_search_filters"));
        Assert.Equal(documents, connection.Scalar("""
            SELECT count(*) FROM session_search_filters k JOIN session_search_facts f ON f.id = k.id
            WHERE k.turns = f.turns AND k.active_ms = f.active_ms AND k.started_ms = f.started_ms
            """));
        // The turns and active-time bands (migration 400): one entry per document in each index, under the band recorded
        // for it, which is its current figure's; each index holds exactly the recorded entries.
        foreach (var figure in SessionSearchBands.Figures)
        {
            var recorded = new Dictionary<long, long>();
            using (var entries = new SqliteCommand($"""
                SELECT e.{figure.BandColumn}, f.{figure.Column} FROM session_search_band_entries e JOIN session_search_facts f ON f.id = e.id
                """, connection))
            using (var reader = entries.ExecuteReader())
            {
                while (reader.Read())
                {
                    Assert.Equal(SessionFigureBands.Of(reader.GetInt64(1)), reader.GetInt64(0));
                    recorded[reader.GetInt64(0)] = recorded.GetValueOrDefault(reader.GetInt64(0)) + 1;
                }
            }
            Assert.Equal(documents, recorded.Values.Sum());
            Assert.Equal(documents, connection.Scalar($"SELECT count(*) FROM {figure.Table}"));
            foreach (var project in new[] { _store.Project, _store.OtherProject })
                for (var band = 0; band <= SessionFigureBands.Last; band++)
                {
                    using var inBand = new SqliteCommand($"SELECT count(*) FROM {figure.Table} WHERE rowid >= $from AND rowid < $to", connection);
                    inBand.Parameters.AddWithValue("$from", SessionSearchBands.Rowid(project << 40, band));
                    inBand.Parameters.AddWithValue("$to", SessionSearchBands.Rowid(project << 40, band) + (1L << 40));
                    Assert.Equal(connection.Scalar($"""
                        SELECT count(*) FROM session_search_band_entries WHERE {figure.BandColumn} = {band} AND id / {1L << 40} = {project}
                        """), (long)inBand.ExecuteScalar()!);
                }
        }
        // The recorded turns and cost order the first page by cost walks (SessionTurnsWalk): the sessions' own.
        Assert.Equal(documents, connection.Scalar("""
            SELECT count(*) FROM session_search_band_entries e JOIN session_search_docs d ON d.id = e.id
            JOIN sessions s ON s.project_id = d.project_id AND s.session_id = d.session_id
            WHERE e.project_id = s.project_id AND e.session_id = s.session_id AND e.turns = s.turns
              AND e.cost_unknown = s.cost_unknown AND e.cost_sort = s.cost_sort
            """));
    }

    private async Task<long> PendingAsync()
    {
        await using var connection = await _store.Storage.Database.OpenAsync();
        return connection.Scalar("SELECT count(*) FROM session_search_facts_pending");
    }

    private async Task VerifyAsync(string context)
    {
        var stored = await StoredAsync();
        var filters = new List<SessionFilter>();
        foreach (var text in new[] { "refund", "REF", "order", "ab", "a", "R", "s0", "1", "please", stored[_random.Next(stored.Count)].SessionId[1..4] })
        {
            filters.Add(new SessionFilter { Query = text, MinTurns = _random.Next(2, 5) });
            filters.Add(new SessionFilter { Query = text, MaxTurns = _random.Next(1, 4) });
            filters.Add(new SessionFilter { Query = text, MinActiveMs = 60_000L * _random.Next(1, 8) });
            filters.Add(new SessionFilter { Query = text, MaxActiveMs = 60_000L * _random.Next(2, 10), MinTurns = 2 });
            filters.Add(new SessionFilter { Query = text, MaxActiveMs = 60_000L * _random.Next(2, 10) });
            filters.Add(new SessionFilter { Query = text, Status = _random.Next(2) == 0 ? SessionStatusFilter.Any : SessionStatusFilter.Error });
            filters.Add(new SessionFilter { Query = text, MinActiveMs = 30_000L * _random.Next(1, 12), FromMs = Day0 + Day, ToMs = Day0 + 4 * Day, Status = SessionStatusFilter.Ok });
            filters.Add(_random.Next(2) == 0 ? new SessionFilter { Query = text, MinTurns = _random.Next(14, 50) } : new SessionFilter { Query = text, MaxTurns = _random.Next(14, 50) });
            filters.Add(new SessionFilter { Query = text, MinTurns = 2, MaxTurns = _random.Next(2, 20), FromMs = Day0 + Day, ToMs = Day0 + 3 * Day, Status = SessionStatusFilter.Ok });
            // A bound over 16 that cuts a band (band 17 holds 17–24 turns): the first page by cost merges the kept turn
            // counts (SessionTurnsWalk), and the band's others stay out.
            filters.Add(new SessionFilter { Query = text, MaxTurns = 20, Status = _random.Next(2) == 0 ? SessionStatusFilter.Any : SessionStatusFilter.Ok });
            filters.Add(_random.Next(3) switch
            {
                0 => new SessionFilter { Query = text, MinTurns = 2, FromMs = Day0 + Day, ToMs = Day0 + 4 * Day, Status = SessionStatusFilter.Ok },
                1 => new SessionFilter { Query = text, MinActiveMs = 120_000, FromMs = Day0 + 2 * Day + 5 * Hour, Status = SessionStatusFilter.Error },
                _ => new SessionFilter { Query = text, MaxTurns = 3, ToMs = Day0 + 3 * Day - 1 },
            });
        }
        // A long session just above a bound that cuts its band (band 17: 17–24 turns, 18: 25–32), matched by its name: the
        // session the merged walk (SessionTurnsWalk) would list if it took the cut band's turn counts above the bound.
        // From 17 turns, so that the few long sessions are all the walk visits and its budget (four pages) holds them.
        if (stored.Where(s => s.Turns is > 17 and <= 32 && SessionFigureBands.Of(s.Turns - 1) == SessionFigureBands.Of(s.Turns) && s.Name is { Length: >= 3 })
            .MaxBy(s => s.Turns) is { } cut)
            filters.Add(new SessionFilter { Query = cut.Name, MinTurns = 17, MaxTurns = cut.Turns - 1 });
        else
            Assert.Fail($"{context}: no long session of 18–32 turns to cut a band below");
        // The highest turn counts a request can name (maxTurns is an int): merged like any others, matching nothing.
        filters.Add(new SessionFilter { Query = "refund", MinTurns = int.MaxValue - 3, MaxTurns = int.MaxValue });
        foreach (var filter in filters)
        {
            var expected = stored.Where(s => Keeps(filter, s)).ToList();
            // The overview above the list, read from the same figures (SqliteSessionOverviewReader), against its one
            // definition over the sessions recomputed here.
            var overview = SessionOverview.Of(expected.Select(s => (s.StartedMs, s.CostUnknown ? null : (Int128?)s.CostPico, s.Turns)));
            var read = await _store.Storage.SessionOverview.OverviewAsync(_store.Project, filter);
            Assert.True(overview.Days.SequenceEqual(read.Days) && overview.Turns.SequenceEqual(read.Turns),
                $"{context}, {filter}: overview expected [{string.Join(", ", overview.Days)}], read [{string.Join(", ", read.Days)}]");
            await ExpectAsync(context, filter, SessionSort.StartedAt, false, expected.OrderBy(s => s.StartedMs).ThenBy(s => s.SessionId, StringComparer.Ordinal));
            await ExpectAsync(context, filter, SessionSort.CostUsd, true,
                expected.OrderByDescending(s => s.CostUnknown).ThenByDescending(s => s.CostUnknown ? 0 : s.CostPico).ThenByDescending(s => s.SessionId, StringComparer.Ordinal));
            await ExpectAsync(context, filter, SessionSort.Turns, false, expected.OrderBy(s => s.Turns).ThenBy(s => s.SessionId, StringComparer.Ordinal));
            await ExpectAsync(context, filter, SessionSort.ActiveDurationMs, true, expected.OrderByDescending(s => s.ActiveMs).ThenByDescending(s => s.SessionId, StringComparer.Ordinal));
            await ExpectAsync(context, filter, SessionSort.DurationMs, true, expected.OrderByDescending(s => s.DurationMs).ThenByDescending(s => s.SessionId, StringComparer.Ordinal));
        }
    }

    private async Task ExpectAsync(string context, SessionFilter filter, SessionSort sort, bool descending, IEnumerable<SessionSummary> expected)
    {
        var ids = expected.Select(s => s.SessionId).ToList();
        var (listed, total) = await _store.Storage.PageThroughAsync(_store.Project, filter, sort, descending, pageSize: 7);
        Assert.True(ids.SequenceEqual(listed), $"{context}, {filter} by {sort}: expected [{string.Join(", ", ids)}], listed [{string.Join(", ", listed)}]");
        Assert.True(ids.Count == total, $"{context}, {filter} by {sort}: totalCount {total}, expected {ids.Count}");
    }

    private static bool Keeps(SessionFilter f, SessionSummary s) =>
        (LikeContains(s.SessionId, f.Query!) || (s.Name is { } name && LikeContains(name, f.Query!)))
        && (f.FromMs is not { } from || s.StartedMs >= from) && (f.ToMs is not { } to || s.StartedMs < to)
        && (f.Status == SessionStatusFilter.Any || (s.ErrorCount > 0) == (f.Status == SessionStatusFilter.Error))
        && (f.MinTurns is not { } minTurns || s.Turns >= minTurns) && (f.MaxTurns is not { } maxTurns || s.Turns <= maxTurns)
        && (f.MinActiveMs is not { } minActive || s.ActiveMs >= minActive) && (f.MaxActiveMs is not { } maxActive || s.ActiveMs <= maxActive);
}
