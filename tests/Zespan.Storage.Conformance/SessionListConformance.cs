using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Conformance;

/// <summary>The sessions list: every sort key in both directions, every filter, keyset paging and totalCount.</summary>
public abstract class SessionListConformance(IStoreFactory factory) : ConformanceSuite(factory)
{
    public static readonly TheoryData<SessionSort, bool> SortsAndOrders = Build();

    private static TheoryData<SessionSort, bool> Build()
    {
        var data = new TheoryData<SessionSort, bool>();
        foreach (var sort in Enum.GetValues<SessionSort>())
        {
            data.Add(sort, true);
            data.Add(sort, false);
        }
        return data;
    }

    /// <summary>40 sessions with many equal sort values (start hours, turns, costs, error counts repeat), so ties are exercised.</summary>
    private async Task<Dictionary<string, ExpectedSession>> SeedAsync()
    {
        var spans = new List<SpanRecord>();
        for (var i = 0; i < 40; i++)
        {
            var turns = 1 + i % 4;
            var start = Day0 + (i % 10) * Hour;
            for (var k = 0; k < turns; k++)
            {
                spans.Add(Llm($"s{i:00}-{k}", $"s{i:00}", start + k * 60_000, latencyMs: 1_000 + (i % 3) * 500,
                    inputTokens: (i % 6) * 10 + k, outputTokens: 5, costPico: (i % 5) * 1_000,
                    userId: i % 3 == 0 ? null : $"u{i % 3}", traceId: $"t{i % 8}",
                    status: i % 7 == 0 && k == 0 ? SpanStatus.Error : SpanStatus.Ok));
            }
        }
        // Arrive in three calls, in an order unrelated to any sort.
        var random = new Random(7);
        var shuffled = spans.OrderBy(_ => random.Next()).ToList();
        await WriteAsync(ProjectId, shuffled.Take(50));
        await WriteAsync(ProjectId, shuffled.Skip(50).Take(20));
        await WriteAsync(ProjectId, shuffled.Skip(70));
        return ReferenceFigures.Sessions(spans);
    }

    private static Int128 SortValue(ExpectedSession s, SessionSort sort) => sort switch
    {
        SessionSort.StartedAt => s.StartedMs,
        SessionSort.DurationMs => s.DurationMs,
        SessionSort.Turns => s.Turns,
        SessionSort.CostUsd => s.UnpricedCalls == s.Turns ? (Int128)1 << 64 : s.CostPico, // an unknown cost sorts above every known one
        SessionSort.TotalTokens => s.TotalTokens,
        SessionSort.ErrorCount => s.ErrorCount,
        SessionSort.ActiveDurationMs => s.ActiveMs,
        SessionSort.IdleGapCount => s.IdleGaps,
        _ => throw new ArgumentOutOfRangeException(nameof(sort)),
    };

    /// <summary>Sorted by the value, ties by session id in the same direction.</summary>
    private static List<string> ExpectedOrder(IEnumerable<ExpectedSession> sessions, SessionSort sort, bool descending) => descending
        ? sessions.OrderByDescending(s => SortValue(s, sort)).ThenByDescending(s => s.SessionId, StringComparer.Ordinal).Select(s => s.SessionId).ToList()
        : sessions.OrderBy(s => SortValue(s, sort)).ThenBy(s => s.SessionId, StringComparer.Ordinal).Select(s => s.SessionId).ToList();

    private async Task<(List<SessionSummary> Rows, List<long> Totals)> ReadAllPagesAsync(SessionQuery first)
    {
        var rows = new List<SessionSummary>();
        var totals = new List<long>();
        var query = first;
        for (var pages = 0; pages < 1_000; pages++)
        {
            var page = await Store.Sessions.ListAsync(ProjectId, query);
            Assert.True(page.Items.Count <= query.Limit);
            rows.AddRange(page.Items);
            totals.Add(page.TotalCount);
            if (page.NextCursor is null)
                return (rows, totals);
            Assert.True(SessionCursor.TryDecode(page.NextCursor, query.Sort, query.Descending, out var after, out var error), error);
            query = query with { After = after };
        }
        throw new InvalidOperationException("Paging did not end.");
    }

    [Theory]
    [MemberData(nameof(SortsAndOrders))]
    public async Task List_SortedByEachKey_InBothDirections(SessionSort sort, bool descending)
    {
        var expected = await SeedAsync();
        var page = await Store.Sessions.ListAsync(ProjectId, new SessionQuery { Sort = sort, Descending = descending, Limit = 500 });
        Assert.Equal(ExpectedOrder(expected.Values, sort, descending), page.Items.Select(s => s.SessionId).ToList());
        Assert.Null(page.NextCursor);
        Assert.Equal(40, page.TotalCount);
        foreach (var row in page.Items)
            Compare.Session(expected[row.SessionId], row, "list");
    }

    [Theory]
    [MemberData(nameof(SortsAndOrders))]
    public async Task List_CursorPaging_ReachesEverySessionExactlyOnce(SessionSort sort, bool descending)
    {
        var expected = await SeedAsync();
        foreach (var limit in new[] { 1, 3, 7 })
        {
            var (rows, totals) = await ReadAllPagesAsync(new SessionQuery { Sort = sort, Descending = descending, Limit = limit });
            Assert.Equal(ExpectedOrder(expected.Values, sort, descending), rows.Select(s => s.SessionId).ToList());
            Assert.All(totals, t => Assert.Equal(40, t));
        }
    }

    [Fact]
    public async Task List_CursorPaging_WithFilter_ReachesEveryMatchExactlyOnce()
    {
        var expected = await SeedAsync();
        var filter = new SessionFilter { UserId = "u1", MinTurns = 2 };
        var matches = expected.Values.Where(s => s.UserId == "u1" && s.Turns >= 2).ToList();
        var (rows, totals) = await ReadAllPagesAsync(new SessionQuery { Filter = filter, Sort = SessionSort.CostUsd, Descending = false, Limit = 2 });
        Assert.Equal(ExpectedOrder(matches, SessionSort.CostUsd, false), rows.Select(s => s.SessionId).ToList());
        Assert.All(totals, t => Assert.Equal(matches.Count, t));
    }

    [Fact]
    public async Task List_DefaultQuery_IsNewestFirstFiftyPerPage()
    {
        var spans = Enumerable.Range(0, 60).Select(i => Llm($"x{i}", $"s{i:00}", Day0 + i * 1_000)).ToArray();
        await WriteAsync(spans);
        var page = await Store.Sessions.ListAsync(ProjectId, new SessionQuery());
        Assert.Equal(50, page.Items.Count);
        Assert.Equal("s59", page.Items[0].SessionId);
        Assert.Equal(60, page.TotalCount);
        Assert.NotNull(page.NextCursor);
    }

    public static readonly TheoryData<string> FilterNames = new() { "from", "to", "from+to", "user", "status-error", "status-ok", "minTurns", "user+status+minTurns", "all", "none-match" };

    [Theory]
    [MemberData(nameof(FilterNames))]
    public async Task List_Filter_ReturnsExactlyTheMatchingSessions(string name)
    {
        var expected = await SeedAsync();
        var from = Day0 + 3 * Hour;
        var to = Day0 + 7 * Hour;
        var (filter, predicate) = name switch
        {
            "from" => (new SessionFilter { FromMs = from }, (Func<ExpectedSession, bool>)(s => s.StartedMs >= from)),
            "to" => (new SessionFilter { ToMs = to }, s => s.StartedMs < to),
            "from+to" => (new SessionFilter { FromMs = from, ToMs = to }, s => s.StartedMs >= from && s.StartedMs < to),
            "user" => (new SessionFilter { UserId = "u2" }, s => s.UserId == "u2"),
            "status-error" => (new SessionFilter { Status = SessionStatusFilter.Error }, s => s.ErrorCount > 0),
            "status-ok" => (new SessionFilter { Status = SessionStatusFilter.Ok }, s => s.ErrorCount == 0),
            "minTurns" => (new SessionFilter { MinTurns = 3 }, s => s.Turns >= 3),
            "user+status+minTurns" => (new SessionFilter { UserId = "u1", Status = SessionStatusFilter.Ok, MinTurns = 2 }, s => s.UserId == "u1" && s.ErrorCount == 0 && s.Turns >= 2),
            "all" => (new SessionFilter { FromMs = from, ToMs = to, UserId = "u1", Status = SessionStatusFilter.Ok, MinTurns = 2 },
                s => s.StartedMs >= from && s.StartedMs < to && s.UserId == "u1" && s.ErrorCount == 0 && s.Turns >= 2),
            "none-match" => (new SessionFilter { UserId = "nobody" }, s => false),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        var matches = expected.Values.Where(predicate).ToList();
        if (name != "none-match")
            Assert.NotEmpty(matches); // the seed must make every filter meaningful
        var page = await Store.Sessions.ListAsync(ProjectId, new SessionQuery { Filter = filter, Limit = 500 });
        Assert.Equal(ExpectedOrder(matches, SessionSort.StartedAt, true), page.Items.Select(s => s.SessionId).ToList());
        Assert.Equal(matches.Count, page.TotalCount);
    }

    [Fact]
    public async Task UserSessions_AreTheSessionsWhoseUserIsThatUser()
    {
        // A user who appears only on a later call of someone else's session does not own it.
        await WriteAsync(
            Llm("a1", "mine", Day0, userId: "u"),
            Llm("b1", "theirs", Day0 + 1_000, userId: "other"),
            Llm("b2", "theirs", Day0 + 2_000, userId: "u"),
            Llm("c1", "mine-too", Day0 + 3_000),
            Llm("c2", "mine-too", Day0 + 4_000, userId: "u"));
        var page = await Store.Sessions.ListAsync(ProjectId, new SessionQuery { Filter = new SessionFilter { UserId = "u" } });
        Assert.Equal(["mine-too", "mine"], page.Items.Select(s => s.SessionId));
        Assert.Equal(2, page.TotalCount);
    }
}
