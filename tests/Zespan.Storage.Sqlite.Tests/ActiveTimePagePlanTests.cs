using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// A page filtered by active time and sorted by another key (migration 230, SessionRowPlan): read from the active-time
/// range with no row read per match, or by a walk of the sort index bounded by that range's cost. Both must give exactly
/// the pages of the sessions recomputed from their spans, also when active time and the sort key are correlated (short
/// sessions are cheap), where the bounded walk finds no page and the range answers.
/// </summary>
public sealed class ActiveTimePagePlanTests
{
    [Fact]
    public async Task TheActiveTimeRange_SortedByAnyKey_ReadsOnlyTheIndex()
    {
        var (storage, folder) = await SqliteStoreFactory.CreateStorageAsync();
        try
        {
            await using var connection = await storage.Database.OpenAsync();
            foreach (var sort in Enum.GetValues<SessionSort>())
            {
                var order = string.Join(", ", SessionSql.SortKey(sort).Select(k => $"{k} DESC")) + ", s.session_id DESC";
                var plan = connection.QueryPlan($"""
                    SELECT s.session_id FROM sessions s INDEXED BY sessions_by_active
                    WHERE s.project_id = 1 AND s.active_ms <= 60000 AND s.error_count > 0 AND s.started_ms >= 5 AND s.turns >= 2 AND s.turns <= 9
                    ORDER BY {SessionSql.Stored(order)} LIMIT 51
                    """);
                // Before migration 230 the index lacked the sort keys: one row read per session in the range (1.2 s of CPU at 1 M).
                Assert.True(plan.Contains("USING COVERING INDEX sessions_by_active"), $"{sort}: {plan}");
            }
        }
        finally
        {
            await SqliteStoreFactory.DeleteAsync(storage, folder);
        }
    }

    [Theory]
    [InlineData(230)]
    [InlineData(231)]
    public async Task EveryPage_EqualsTheSessionsRecomputed_WhenActiveTimeAndCostAreCorrelated(int seed)
    {
        var random = new Random(seed);
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p");
        var (storage, project) = (store.Storage, store.Project);
        var spans = CorrelatedSessions(random, 600);
        foreach (var batch in spans.OrderBy(_ => random.Next()).Chunk(97))
            await storage.SpanWriter.WriteAsync(batch.Select(s => new ProjectSpan(project, s)).ToList());

        var sessions = ReferenceFigures.Sessions(spans);
        var data = new FilterDimensionCases.Data(sessions.Values, ReferenceFigures.Traces(spans).Values, spans);
        var withActiveTime = FilterDimensionCases.Combinations<SessionDimensions>().Where(d => (d & SessionDimensions.ActiveTime) != 0).ToList();
        for (var draw = 0; draw < 60; draw++)
        {
            var filter = FilterDimensionCases.RandomSessionFilter(random, data, withActiveTime[random.Next(withActiveTime.Count)]);
            var sort = (SessionSort)random.Next(Enum.GetValues<SessionSort>().Length);
            var descending = random.Next(2) == 0;
            var limit = random.Next(1, 6);
            var matching = sessions.Values.Where(s => FilterDimensionCases.Keeps(filter, s));
            var expected = (descending
                ? matching.OrderByDescending(s => RandomizedConformance.SortValue(s, sort)).ThenByDescending(s => s.SessionId, StringComparer.Ordinal)
                : matching.OrderBy(s => RandomizedConformance.SortValue(s, sort)).ThenBy(s => s.SessionId, StringComparer.Ordinal)).Select(s => s.SessionId).ToList();

            var listed = new List<string>();
            SessionCursor? after = null;
            do
            {
                var page = await storage.Sessions.ListAsync(project, new SessionQuery { Filter = filter, Sort = sort, Descending = descending, Limit = limit, After = after });
                Assert.Equal(expected.Count, page.TotalCount);
                listed.AddRange(page.Items.Select(s => s.SessionId));
                after = null;
                if (page.NextCursor is { } next)
                    Assert.True(SessionCursor.TryDecode(next, sort, descending, out after, out _));
            } while (after is not null && listed.Count <= expected.Count);
            Assert.True(expected.SequenceEqual(listed), $"seed {seed}, {filter}, sort {sort} {(descending ? "desc" : "asc")}, pages of {limit}:\n  listed     {string.Join(",", listed)}\n  recomputed {string.Join(",", expected)}");
        }
    }

    /// <summary>
    /// Sessions whose cost, tokens, turns and duration all grow with their active time, as in real traffic: the cheap
    /// ones are the short ones. Some have idle gaps, errors or no price.
    /// </summary>
    private static List<SpanRecord> CorrelatedSessions(Random random, int count)
    {
        var spans = new List<SpanRecord>();
        for (var session = 0; session < count; session++)
        {
            var at = Day0 + random.NextInt64(3 * Day);
            var unpriced = random.Next(15) == 0;
            for (var turn = random.Next(1, 12); turn > 0; turn--)
            {
                var latency = random.NextInt64(2_000, 30_000);
                var span = Llm($"s{session}-{turn}", $"session-{session:d4}", at, latencyMs: latency, inputTokens: latency / 10,
                    costPico: unpriced ? null : latency * 1_000, status: random.Next(12) == 0 ? SpanStatus.Error : SpanStatus.Ok);
                spans.Add(span);
                at = span.EndMs + (random.Next(8) == 0 ? random.NextInt64(6 * 60_000, 2 * Hour) : random.NextInt64(0, 20_000));
            }
        }
        return spans;
    }
}
