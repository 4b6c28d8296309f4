using System.Text;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// The sessions list's page from candidates (CandidatePage): each shard groups only the sessions of its first row
/// versions in the page's order, and the page is used only when the shards' thresholds prove it. Older row versions
/// that are ahead of every live one in the order fill the candidates here, so the proof must fail and the whole grouping
/// answer — a page of those sessions' newest rows would be wrong.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class SessionPageCandidateTests(ClickHouseCluster cluster)
{
    private static long NewProject() => 4_100_000_000L + Random.Shared.Next(1_000_000);

    [Fact]
    public async Task OlderRowVersionsAheadOfEveryLiveRow_DoNotMakeThePage_InAnySortOrDirection()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        // 80 sessions of three expensive calls, ~40 per shard: more than the 24 row versions a shard takes for a page of 2.
        var first = new List<SpanRecord>();
        for (var i = 0; i < 80; i++)
            for (var k = 0; k < 3; k++)
                first.Add(Llm($"big{i:00}-{k}", $"big{i:00}", Day0 + i * 60_000 + k * 1_000, latencyMs: 30_000, inputTokens: 10_000, outputTokens: 5_000,
                    costPico: 9_000_000_000 + i, status: SpanStatus.Error));
        await backend.SpanWriter.WriteAsync(first.Select(s => new ProjectSpan(project, s)).ToList());
        // Then each one's calls are re-sent cheap, short and fine, two of them moved into a small session each: the
        // first versions (3 turns, high cost) stay behind the newest until ClickHouse merges them away.
        var resent = first.Select((s, n) => s with
        {
            SessionId = n % 3 == 0 ? s.SessionId : $"small{n / 3:00}-{n % 3}",
            EndMs = s.StartMs + 10,
            CostPico = 1_000 + n,
            Status = SpanStatus.Ok,
            Error = null,
            Usage = new TokenUsage(1, 1, 0, 0),
        }).ToList();
        await backend.SpanWriter.WriteAsync(resent.Select(s => new ProjectSpan(project, s)).ToList());
        // A few sessions that are now ahead of all of them by cost and tokens.
        var steady = Enumerable.Range(0, 5).Select(j => Llm($"steady{j}", $"steady{j}", Day0 + j * 1_000, costPico: 5_000_000 + j)).ToList();
        await backend.SpanWriter.WriteAsync(steady.Select(s => new ProjectSpan(project, s)).ToList());

        var expected = ReferenceFigures.Sessions([.. resent, .. steady]).Values.ToList();
        foreach (var sort in Enum.GetValues<SessionSort>())
            foreach (var descending in new[] { true, false })
            {
                var order = descending
                    ? expected.OrderByDescending(s => RandomizedConformance.SortValue(s, sort)).ThenByDescending(s => s.SessionId, StringComparer.Ordinal)
                    : expected.OrderBy(s => RandomizedConformance.SortValue(s, sort)).ThenBy(s => s.SessionId, StringComparer.Ordinal);
                var listed = await ReadPagesAsync(backend, project, new SessionQuery { Sort = sort, Descending = descending, Limit = 2 }, pages: 4);
                Assert.True(order.Take(8).Select(s => s.SessionId).SequenceEqual(listed),
                    $"{sort} {(descending ? "desc" : "asc")}: listed {string.Join(",", listed)}, recomputed {string.Join(",", order.Take(8).Select(s => s.SessionId))}");
            }
    }

    /// <summary>
    /// Every read over one user's sessions merges only the sessions that have a row version of that user
    /// (WithVersionMatching): the list's total and page, the stats with their median and p95, the breakdowns and the
    /// facts. Sessions whose older row is the user's and whose newest is not must not count, and those whose newest row
    /// became the user's must, while both versions are still unmerged.
    /// </summary>
    [Fact]
    public async Task AUsersSessions_AreThoseWhoseNewestRowIsTheirs_InEveryRead()
    {
        var (backend, _) = await cluster.SharedStoresAsync();
        var project = NewProject();
        static SpanRecord Kind(SpanRecord span, string kind) =>
            span with { Tags = [kind], MetadataValues = new Dictionary<string, string> { ["feature"] = kind }, MetadataJson = $"{{\"feature\":\"{kind}\"}}" };
        List<SpanRecord> first =
        [
            Kind(Llm("a-0", "a", Day0, userId: "u1"), "chat"), Kind(Llm("a-1", "a", Day0 + 1_000, userId: "u1"), "chat"),
            Kind(Llm("b-0", "b", Day0 + 2_000, userId: "u2"), "search"),
            Kind(Llm("c-0", "c", Day0 + 3_000, userId: "u1", costPico: 7_000_000), "chat"),
            Kind(Llm("d-0", "d", Day0 + 4_000, userId: "u1"), "search"),
            Kind(Llm("f-0", "f", Day0 + 5_000, userId: "u1", costPico: 2_000_000), "summary"),
        ];
        await backend.SpanWriter.WriteAsync(first.Select(s => new ProjectSpan(project, s)).ToList());
        // a becomes u2's, b becomes u1's, and d's only call moves into a new session e (d is left with none).
        List<SpanRecord> resent =
        [
            first[0] with { UserId = "u2" }, first[1] with { UserId = "u2" },
            first[2] with { UserId = "u1", CostPico = 3_000_000 },
            first[4] with { SessionId = "e" },
        ];
        await backend.SpanWriter.WriteAsync(resent.Select(s => new ProjectSpan(project, s)).ToList());

        List<SpanRecord> live = [.. resent, first[3], first[5]];
        var current = ReferenceFigures.Sessions(live).Values.ToList();
        foreach (var user in new[] { "u1", "u2", "nobody" })
        {
            var expected = current.Where(s => s.UserId == user).ToList();
            var filter = SessionFilter.None with { UserId = user };
            var page = await backend.Sessions.ListAsync(project, new SessionQuery { Filter = filter, Sort = SessionSort.CostUsd, Limit = 10 });
            Assert.Equal(expected.Count, page.TotalCount);
            Assert.Equal(expected.OrderByDescending(s => s.CostPico).Select(s => s.SessionId), page.Items.Select(s => s.SessionId));
            var stats = await backend.Sessions.StatsAsync(project, filter);
            Assert.Equal(expected.Count, stats.Sessions);
            Assert.Equal(expected.Aggregate(Int128.Zero, (sum, s) => sum + s.CostPico), stats.TotalCostPico);
            var priced = expected.Select(s => s.CostPico).Order().ToList();
            Assert.Equal(ReferenceFigures.Median(priced), stats.MedianCostPico);
            Assert.Equal(ReferenceFigures.NearestRank(priced, 0.95), stats.P95CostPico);
            foreach (var (by, grouping) in new (string, SessionGrouping)[] { ("tag", new SessionGrouping.ByTag()), ("feature", new SessionGrouping.ByMetadata("feature")) })
                Compare.Breakdown(ReferenceFigures.Breakdown(live, expected, by), await backend.Sessions.BreakdownAsync(project, grouping, filter, 10), $"{user} by {by}");
            // The facts (kinds, trends, outliers, the overview): every session of the user is an outlier at ratio 0.
            var facts = await backend.Sessions.TokenOutliersAsync(project, filter, minRatio: 0, limit: 10);
            Assert.Equal(expected.Select(s => s.SessionId).Order(StringComparer.Ordinal), facts.Select(o => o.Session.SessionId).Order(StringComparer.Ordinal));
        }
    }

    private static async Task<List<string>> ReadPagesAsync(ClickHouseBackend backend, long project, SessionQuery query, int pages)
    {
        var ids = new List<string>();
        for (var p = 0; p < pages; p++)
        {
            var page = await backend.Sessions.ListAsync(project, query);
            ids.AddRange(page.Items.Select(s => s.SessionId));
            if (page.NextCursor is null)
                break;
            Assert.True(SessionCursor.TryDecode(page.NextCursor, query.Sort, query.Descending, out var after, out var error), error);
            query = query with { After = after };
        }
        return ids;
    }

    private static CandidatePage.SortKey Key(long value, string id) => new([value], Encoding.UTF8.GetBytes(id));

    [Fact]
    public void APageIsProven_OnlyWhenFullAndNotBeyondAnyShardsThreshold()
    {
        (string, CandidatePage.SortKey)[] page = [("a", Key(9, "a")), ("b", Key(7, "b")), ("c", Key(5, "c"))];
        Assert.True(CandidatePage.Proves(page, [], 3, descending: true)); // every shard read all its rows
        Assert.True(CandidatePage.Proves(page[..2], [], 3, descending: true));
        Assert.False(CandidatePage.Proves(page[..2], [Key(1, "z")], 3, descending: true)); // short, and a shard stopped early
        Assert.True(CandidatePage.Proves(page, [Key(5, "c"), Key(2, "x")], 3, descending: true)); // at a threshold: that session is a candidate
        Assert.False(CandidatePage.Proves(page, [Key(5, "d")], 3, descending: true)); // "d" (5) comes before "c" (5) descending and may be missing
        Assert.False(CandidatePage.Proves(page, [Key(6, "a")], 3, descending: true));
        (string, CandidatePage.SortKey)[] ascending = [("a", Key(1, "a")), ("b", Key(2, "b"))];
        Assert.True(CandidatePage.Proves(ascending, [Key(2, "c")], 2, descending: false));
        Assert.False(CandidatePage.Proves(ascending, [Key(2, "a")], 2, descending: false));
    }

    [Fact]
    public void SessionIdsCompareAsClickHouseDoes_ByUtf8Bytes()
    {
        // U+FF5E sorts before U+1F600 in UTF-8 bytes (EF … < F0 …) but after it in UTF-16 (FF5E > D83D).
        Assert.True(Key(1, "\uFF5E").CompareTo(Key(1, "\U0001F600")) < 0);
        Assert.True(string.CompareOrdinal("\uFF5E", "\U0001F600") > 0);
    }
}
