using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The overview charts from the trends' rollups (<see cref="SessionOverviewRollup"/>) equal <see cref="SessionOverview.Of"/>
/// over the sessions recomputed here from the spans written: per UTC day the sessions, the priced ones and the exact
/// median and p95 cost, and the turns histogram; unfiltered and over start ranges (whole days from the rollups, partial
/// days at the ends from their sessions), through re-sent duplicates, calls that arrive late (moving a session to an
/// earlier day), unpriced sessions and retention. Other filters are read from the sessions (fail closed).
/// </summary>
public sealed class SessionOverviewRollupTests : IAsyncLifetime
{
    private SeededStore _store = null!;
    private readonly Random _random = new(18);
    private readonly Dictionary<string, SpanRecord> _calls = [];

    public async Task InitializeAsync() => _store = await SeededStore.CreateAsync(Plan.Free, "p", "other");

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    private async Task WriteAsync(IEnumerable<SpanRecord> calls)
    {
        var list = calls.ToList();
        foreach (var call in list)
            _calls[call.Id] = call;
        // Another project's sessions on the same days must never be counted.
        await _store.Storage.SpanWriter.WriteAsync([.. list.Select(c => new ProjectSpan(_store.Project, c)), .. list.Select(c => new ProjectSpan(_store.OtherProject, c with { Id = "o" + c.Id, CostPico = c.CostPico * 3 }))]);
    }

    /// <summary>Sessions over 6 days, 1–80 calls each (every turns bucket), a few costs repeated (ties), some calls unpriced.</summary>
    private IEnumerable<SpanRecord> RandomSessions(int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            var at = Day0 + _random.NextInt64(6 * Day);
            var unpricedSession = _random.Next(8) == 0;
            var calls = _random.Next(5) == 0 ? _random.Next(1, 80) : _random.Next(1, 5);
            for (var c = 0; c < calls; c++)
            {
                long? cost = unpricedSession || _random.Next(10) == 0 ? null : _random.Next(3) == 0 ? 5_000_000 : _random.NextInt64(1, 90_000_000);
                yield return Llm($"c{i}-{c}", $"s{i}", at + c * 30_000L, costPico: cost, traceId: $"t{i}", status: _random.Next(9) == 0 ? SpanStatus.Error : SpanStatus.Ok);
            }
        }
    }

    [Fact]
    public async Task RollupOverview_EqualsRecomputationFromSpans_ThroughDuplicatesLateCallsAndRetention()
    {
        await WriteAsync(RandomSessions(0, 300));
        await VerifyAsync("after the first write");

        // Re-sent duplicates, and late calls that start before their session did (some on the previous day).
        await WriteAsync(_calls.Values.Where((_, i) => i % 7 == 0).ToList());
        await WriteAsync(Enumerable.Range(0, 40).Select(i => Llm($"late{i}", $"s{i * 7}", _calls[$"c{i * 7}-0"].StartMs - _random.NextInt64(1, Day), costPico: _random.NextInt64(1, 9_000_000), traceId: $"late{i}")));
        await WriteAsync(RandomSessions(300, 100));
        await VerifyAsync("after duplicates, late calls and more sessions");

        await _store.Storage.Retention.DeleteSpansStartedBeforeAsync(_store.Project, Day0 + 2 * Day + 5 * Hour, 1_000);
        foreach (var id in _calls.Where(c => c.Value.StartMs < Day0 + 2 * Day + 5 * Hour).Select(c => c.Key).ToList())
            _calls.Remove(id);
        await VerifyAsync("after retention");
    }

    private async Task VerifyAsync(string context)
    {
        // Sessions recomputed from their calls: start, cost over priced calls (null when none is priced), turns.
        var sessions = _calls.Values.GroupBy(c => c.SessionId!).Select(g => (
            StartedMs: g.Min(c => c.StartMs),
            CostPico: g.Any(c => c.CostPico is not null) ? (Int128?)g.Sum(c => c.CostPico ?? 0) : null,
            Turns: g.Count())).ToList();
        var filters = new List<SessionFilter> { SessionFilter.None, new() { FromMs = Day0 + 2 * Day }, new() { ToMs = Day0 + 4 * Day }, new() { FromMs = Day0 + Day, ToMs = Day0 + 3 * Day },
            new() { FromMs = Day0 + 90 * Day },
            // Partial days at either end (read from their sessions), within one day, and two partial days with no whole one.
            new() { FromMs = Day0 + Day + 7 * Hour, ToMs = Day0 + 5 * Day + 1 }, new() { FromMs = Day0 + 3 * Day - 1 }, new() { ToMs = Day0 + 4 * Day + 13 * Hour },
            new() { FromMs = Day0 + 2 * Day + Hour, ToMs = Day0 + 2 * Day + 20 * Hour }, new() { FromMs = Day0 + 2 * Day + 5 * Hour, ToMs = Day0 + 3 * Day + 3 * Hour } };
        foreach (var filter in filters)
        {
            var expected = SessionOverview.Of(sessions.Where(s => (filter.FromMs is not { } f || s.StartedMs >= f) && (filter.ToMs is not { } t || s.StartedMs < t)));
            var actual = await _store.Storage.SessionOverview.OverviewAsync(_store.Project, filter);
            var what = $"{context}, from {filter.FromMs} to {filter.ToMs} ({(SessionOverviewRollup.Covers(filter) ? "rollup" : "sessions")})";
            Assert.True(expected.Days.SequenceEqual(actual.Days), $"{what}: expected [{string.Join(", ", expected.Days)}], got [{string.Join(", ", actual.Days)}]");
            Assert.True(expected.Turns.SequenceEqual(actual.Turns), $"{what}: turns expected [{string.Join(", ", expected.Turns)}], got [{string.Join(", ", actual.Turns)}]");
        }
        Assert.All(filters, f => Assert.True(SessionOverviewRollup.Covers(f)));
        // Filters the rollups do not hold are read from the sessions.
        foreach (var filter in new SessionFilter[] { new() { Status = SessionStatusFilter.Error }, new() { MinTurns = 3 }, new() { FromMs = Day0 + Day, Query = "s1" } })
            Assert.False(SessionOverviewRollup.Covers(filter));
    }
}
