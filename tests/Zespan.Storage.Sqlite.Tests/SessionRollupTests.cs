using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The hourly session rollup (migration 040) and everything answered from it — filtered totalCount, the index chosen for a
/// filtered page, stats sums and the median/p95 found by walking the cost index or through the daily cost bands — must equal the same figures computed
/// here from the session rows, after inserts, re-sent spans that move sessions across hours, and retention.
/// </summary>
public sealed class SessionRollupTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(11)]
    [InlineData(2026)]
    public async Task RollupFigures_EqualRecomputationFromSessionRows_ThroughInsertsReplacementsAndRetention(int seed)
    {
        var random = new Random(seed);
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p", "other");
        var (storage, project, other) = (store.Storage, store.Project, store.OtherProject);
        var spans = new List<ProjectSpan>();
        var sent = (Mine: new List<SpanRecord>(), Theirs: new List<SpanRecord>());
        for (var session = 0; session < 160; session++)
        {
            var start = Day0 + random.NextInt64(3 * Day);
            var turns = random.Next(10) == 0 ? random.Next(20, 60) : random.Next(1, 8);
            var allUnpriced = random.Next(8) == 0;
            var user = random.Next(8) == 0 ? null : random.Next(10) == 0 ? "" : $"user-{random.Next(12)}";
            for (var turn = 0; turn < turns; turn++)
            {
                long? cost = allUnpriced || random.Next(10) == 0 ? null : random.Next(6) == 0 ? 0 : random.NextInt64(1, 5_000_000);
                var span = Llm($"s{session}-t{turn}", $"session-{session}", start + turn * random.NextInt64(1_000, 20 * 60_000),
                    inputTokens: random.Next(10, 2_000), costPico: cost, userId: user, status: random.Next(25) == 0 ? SpanStatus.Error : SpanStatus.Ok);
                spans.Add(new ProjectSpan(session % 5 == 0 ? other : project, span));
                (session % 5 == 0 ? sent.Theirs : sent.Mine).Add(span);
            }
        }
        // Written shuffled in batches, so sessions are created by one batch and updated by later ones.
        foreach (var batch in spans.OrderBy(_ => random.Next()).Chunk(97))
            await storage.SpanWriter.WriteAsync(batch);
        await store.AssertHoldsWhatWasSentAsync(sent.Mine, sent.Theirs);
        await AssertEverythingAgreesAsync(storage, random, project, other);

        // Re-sent spans: moved to another session, started an hour or a day earlier (moving the session's start hour), re-priced, errors added.
        var resent = spans.OrderBy(_ => random.Next()).Take(60).Select(p => new ProjectSpan(p.ProjectId, random.Next(4) switch
        {
            0 => p.Span with { SessionId = $"session-{random.Next(160)}" },
            1 => p.Span with { StartMs = p.Span.StartMs - (random.Next(2) == 0 ? Hour : Day), EndMs = p.Span.EndMs - Hour },
            2 => p.Span with { CostPico = random.Next(3) == 0 ? null : random.NextInt64(10_000_000) },
            _ => p.Span with { Status = SpanStatus.Error, Error = "late failure" },
        })).ToList();
        await storage.SpanWriter.WriteAsync(resent);
        await AssertEverythingAgreesAsync(storage, random, project, other);

        await storage.Retention.DeleteSpansStartedBeforeAsync(project, Day0 + Day + random.NextInt64(Day), batchSize: 13);
        await AssertEverythingAgreesAsync(storage, random, project, other);
    }

    private static async Task AssertEverythingAgreesAsync(SqliteStorage storage, Random random, params long[] projectIds)
    {
        await AssertRollupEqualsRecomputationAsync(storage);
        foreach (var projectId in projectIds)
        {
            var rows = await ReadSessionRowsAsync(storage, projectId);
            for (var i = 0; i < 40; i++)
            {
                var filter = RandomFilter(random, i);
                var expected = rows.Where(s => Matches(s, filter)).ToList();
                var sort = (SessionSort)random.Next(6);
                var descending = random.Next(2) == 0;
                var page = await storage.Sessions.ListAsync(projectId, new SessionQuery { Filter = filter, Sort = sort, Descending = descending, Limit = 7 });
                Assert.Equal(expected.Count, page.TotalCount);
                var expectedPage = (descending
                        ? expected.OrderByDescending(s => SortValue(s, sort)).ThenByDescending(s => s.SessionId, StringComparer.Ordinal)
                        : expected.OrderBy(s => SortValue(s, sort)).ThenBy(s => s.SessionId, StringComparer.Ordinal))
                    .Take(7).Select(s => s.SessionId);
                Assert.Equal(expectedPage, page.Items.Select(s => s.SessionId));

                var stats = await storage.Sessions.StatsAsync(projectId, filter);
                var priced = expected.Where(s => !s.CostUnknown).Select(s => Money.Clamp64(s.CostPico)).Order().ToList();
                Assert.Equal(expected.Count, stats.Sessions);
                Assert.Equal(expected.Aggregate(Int128.Zero, (t, s) => t + s.CostPico), stats.TotalCostPico);
                Assert.Equal(priced.Count == 0 ? 0 : (double)priced.Sum() / priced.Count, stats.AvgCostPico, 6);
                Assert.Equal(Percentiles.Median(priced), stats.MedianCostPico);
                Assert.Equal(Percentiles.NearestRank(priced, 0.95), stats.P95CostPico);
                Assert.Equal(expected.Sum(s => (long)s.Turns), stats.TotalTurns);
                Assert.Equal(expected.Count(s => s.HasErrors), stats.SessionsWithErrors);
                Assert.Equal(expected.Sum(s => (long)s.UnpricedCalls), stats.UnpricedCalls);

                // The breakdown by user: totals minus sessions outside the range for wide ranges, direct grouping otherwise.
                var byUser = await storage.Sessions.BreakdownAsync(projectId, new SessionGrouping.ByUser(), filter, limit: 9);
                var expectedGroups = expected
                    .GroupBy(s => s.UserId)
                    .Select(g => new SessionGroupCost(g.Key, g.Count(), g.Aggregate(Int128.Zero, (t, s) => t + s.CostPico), g.Sum(s => (long)s.Turns), g.Sum(s => s.TotalTokens), g.Count(s => s.UnpricedCalls == s.Turns)))
                    .OrderBy(g => g.Sessions == g.UnpricedSessions).ThenByDescending(g => g.TotalCostPico).ThenBy(g => g.Group is null ? 0 : 1).ThenBy(g => g.Group, StringComparer.Ordinal)
                    .Take(9);
                Assert.Equal(expectedGroups, byUser);

                // Token outliers: sessions whose tokens per turn are at least minRatio × the median, highest ratio first.
                var minRatio = new[] { 0.5, 1.0, 1.5, 3.0 }[random.Next(4)];
                var outliers = await storage.Sessions.TokenOutliersAsync(projectId, filter, minRatio, limit: 6);
                var perTurn = expected.Select(s => (double)s.TotalTokens / s.Turns).Order().ToList();
                var median = perTurn.Count == 0 ? 0 : perTurn.Count % 2 == 1 ? perTurn[perTurn.Count / 2] : (perTurn[perTurn.Count / 2 - 1] + perTurn[perTurn.Count / 2]) / 2;
                var expectedOutliers = median <= 0 ? [] : expected
                    .Select(s => new TokenOutlier(s, (double)s.TotalTokens / s.Turns, median)).Where(o => o.Ratio >= minRatio)
                    .OrderByDescending(o => o.Ratio).ThenBy(o => o.Session.SessionId, StringComparer.Ordinal).Take(6).ToList();
                Assert.Equal(expectedOutliers.Select(o => (o.Session.SessionId, o.Ratio)), outliers.Select(o => (o.Session.SessionId, o.Ratio)));

                // The same with the start range alone, the costs page's filter: answered from the tokens-per-turn bands (migration 260).
                var range = new SessionFilter { FromMs = filter.FromMs, ToMs = filter.ToMs };
                var limit = random.Next(1, 9);
                Assert.Equal(
                    TokenOutlierRecomputation.Expected(rows.Where(s => Matches(s, range)).Select(s => (s.SessionId, s.TotalTokens, (long)s.Turns)), minRatio, limit),
                    (await storage.Sessions.TokenOutliersAsync(projectId, range, minRatio, limit)).Select(o => (o.Session.SessionId, o.Ratio)));
            }
        }
    }

    /// <summary>Narrow and wide ranges at arbitrary milliseconds (partial hours at both ends), open ends, every status, some minTurns.</summary>
    private static SessionFilter RandomFilter(Random random, int i)
    {
        if (i % 8 == 7) // whole UTC days and no other filter, so the median and p95 come from the daily cost bands
            return new SessionFilter { FromMs = random.Next(3) == 0 ? null : Day0 + random.Next(-1, 3) * Day, ToMs = random.Next(3) == 0 ? null : Day0 + random.Next(1, 5) * Day };
        if (i % 4 == 3) // a range only, so the breakdown by user may take the totals path
            return new SessionFilter { FromMs = random.Next(3) == 0 ? null : Day0 - Day + random.NextInt64(2 * Day), ToMs = random.Next(3) == 0 ? null : Day0 + random.NextInt64(5 * Day) };
        long? from = random.Next(3) == 0 ? null : Day0 - Day + random.NextInt64(5 * Day);
        long? to = random.Next(3) == 0 ? null : (from ?? Day0) + (i % 2 == 0 ? random.NextInt64(3 * Hour) : random.NextInt64(4 * Day));
        return new SessionFilter
        {
            FromMs = from,
            ToMs = to,
            Status = (SessionStatusFilter)random.Next(3),
            MinTurns = random.Next(3) == 0 ? random.Next(1, 30) : null,
        };
    }

    private static bool Matches(SessionSummary s, SessionFilter f) =>
        (f.FromMs is not { } from || s.StartedMs >= from) && (f.ToMs is not { } to || s.StartedMs < to)
        && (f.Status != SessionStatusFilter.Error || s.HasErrors) && (f.Status != SessionStatusFilter.Ok || !s.HasErrors)
        && (f.MinTurns is not { } min || s.Turns >= min);

    private static Int128 SortValue(SessionSummary s, SessionSort sort) => sort switch
    {
        SessionSort.StartedAt => s.StartedMs,
        SessionSort.DurationMs => s.DurationMs,
        SessionSort.Turns => s.Turns,
        SessionSort.CostUsd => s.CostUnknown ? (Int128)1 << 64 : s.CostPico, // an unknown cost sorts above every known one
        SessionSort.TotalTokens => s.TotalTokens,
        _ => s.ErrorCount,
    };

    private static async Task<List<SessionSummary>> ReadSessionRowsAsync(SqliteStorage storage, long projectId)
    {
        await using var connection = await storage.Database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT session_id, user_id, started_ms, ended_ms, turns, cost_pico, unpriced_calls, input_tokens, output_tokens, error_count, latency_sum_ms FROM sessions WHERE project_id = $p";
        command.Parameters.AddWithValue("$p", projectId);
        var rows = new List<SessionSummary>();
        await using var reader = await command.ExecuteReaderAsync();
        while (reader.Read())
        {
            rows.Add(new SessionSummary(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3),
                reader.GetInt32(4), reader.GetInt64(5), reader.GetInt32(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt32(9), reader.GetInt64(10)));
        }
        return rows;
    }

    private static async Task AssertRollupEqualsRecomputationAsync(SqliteStorage storage)
    {
        await using var connection = await storage.Database.OpenAsync();
        var kept = connection.IntegerRows("""
            SELECT project_id, hour, errored, turns, sessions, priced_sessions, cost_pico, unpriced_calls FROM session_rollup_hourly
            WHERE sessions <> 0 OR priced_sessions <> 0 OR cost_pico <> 0 OR unpriced_calls <> 0 ORDER BY 1, 2, 3, 4
            """);
        var recomputed = connection.IntegerRows("""
            SELECT project_id, started_ms - ((started_ms % 3600000) + 3600000) % 3600000, error_count > 0, turns,
                   COUNT(*), SUM(unpriced_calls < turns), SUM(cost_pico), SUM(unpriced_calls)
            FROM sessions GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            """);
        Assert.Equal(recomputed, kept);
        // The active-time bands (migration 201) and the stored active time they count (200).
        var bands = StoredActiveTimeTests.Bands(connection);
        Assert.Equal(bands.Recomputed, bands.Kept);
        Assert.Equal(["0"], connection.IntegerRows("SELECT COUNT(*) FROM sessions WHERE active_ms <> duration_ms - idle_ms"));
        // The tokens-per-turn bands (migration 260).
        var tokenBands = TokensPerTurnBandsTests.Bands(connection);
        Assert.Equal(tokenBands.Recomputed, tokenBands.Kept);
    }
}
