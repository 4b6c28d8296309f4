using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// Sorting by cost keeps an unknown cost apart from $0 (issue 12): sessions none of whose calls was priced come after
/// every priced session ascending and before them descending, and keyset paging through a mixed set returns exactly the
/// order recomputed here from the spans sent.
/// </summary>
public sealed class SessionCostSortTests : IAsyncLifetime
{
    private SeededStore _store = null!;
    private readonly List<SpanRecord> _sent = [];

    public async Task InitializeAsync()
    {
        _store = await SeededStore.CreateAsync(Plan.Free, "p");
        // 40 sessions: unpriced, free (priced at $0), mixed (one priced, one unpriced call) and priced with ties.
        for (var i = 0; i < 40; i++)
        {
            var session = $"s-{(i * 7) % 40:D2}"; // ids not in cost order
            long? cost = (i % 4) switch { 0 => null, 1 => 0, _ => (i % 5) * 1_000 };
            _sent.Add(TestSpans.Llm($"a-{i}", session, TestSpans.Day0 + i * 1_000L, costPico: cost, userId: i % 2 == 0 ? "even" : "odd"));
            if (i % 4 == 2)
                _sent.Add(TestSpans.Llm($"b-{i}", session, TestSpans.Day0 + i * 1_000L + 500, costPico: null, userId: "even"));
        }
        await _store.Storage.SpanWriter.WriteAsync([.. _sent.Select(s => new ProjectSpan(_store.Project, s))]);
    }

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    /// <summary>(unknown, cost, id) from the raw spans: unknown when no call of the session was priced.</summary>
    private List<string> Expected(bool descending, Func<SpanRecord, bool> include)
    {
        var keys = _sent.Where(include).GroupBy(s => s.SessionId!).Select(g => (
            Id: g.Key, Unknown: g.All(s => s.CostPico is null) ? 1 : 0, Cost: g.Sum(s => s.CostPico ?? 0))).ToList();
        Assert.Contains(keys, k => k.Unknown == 1);
        Assert.Contains(keys, k => k.Unknown == 0 && k.Cost == 0);
        var ascending = keys.OrderBy(k => k.Unknown).ThenBy(k => k.Cost).ThenBy(k => k.Id, StringComparer.Ordinal).Select(k => k.Id).ToList();
        if (descending)
            ascending.Reverse();
        return ascending;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PagingByCost_BothDirections_EqualsTheRecomputedOrder(bool descending)
    {
        Assert.Equal(Expected(descending, _ => true), await PageThroughAsync(SessionFilter.None, descending));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PagingByCost_FilteredByUser_EqualsTheRecomputedOrder(bool descending)
    {
        // The user filter takes the other read path (no rollup, SQLite's own plan); sessions whose first call is the user's.
        var sessionsOfEven = _sent.Where(s => s.Id.StartsWith("a-") && s.UserId == "even").Select(s => s.SessionId).ToHashSet();
        var expected = Expected(descending, s => sessionsOfEven.Contains(s.SessionId));
        Assert.Equal(expected, await PageThroughAsync(new SessionFilter { UserId = "even" }, descending));
    }

    [Fact]
    public async Task CostPercentiles_CountOnlyPricedSessions()
    {
        var stats = await _store.Storage.Sessions.StatsAsync(_store.Project, SessionFilter.None);
        var priced = _sent.GroupBy(s => s.SessionId).Where(g => g.Any(s => s.CostPico is not null))
            .Select(g => g.Sum(s => s.CostPico ?? 0)).Order().ToList();
        Assert.Equal(priced.Count, stats.PricedSessions);
        Assert.Equal(Percentiles.Median(priced), stats.MedianCostPico);
        Assert.Equal(priced[(int)Percentiles.NearestRankOf(priced.Count, 0.95) - 1], stats.P95CostPico);
    }

    private async Task<List<string>> PageThroughAsync(SessionFilter filter, bool descending)
    {
        var ids = new List<string>();
        SessionCursor? after = null;
        for (var pages = 0; pages < 100; pages++)
        {
            var page = await _store.Storage.Sessions.ListAsync(_store.Project, new SessionQuery { Filter = filter, Sort = SessionSort.CostUsd, Descending = descending, Limit = 3, After = after });
            ids.AddRange(page.Items.Select(s => s.SessionId));
            if (page.NextCursor is null)
                return ids;
            Assert.True(SessionCursor.TryDecode(page.NextCursor, SessionSort.CostUsd, descending, out after, out var error), error);
        }
        throw new InvalidOperationException("paging did not end");
    }
}
