using System.Text;
using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Trends;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// Each fast path of the sessions queries against every combination of the filter dimensions: it answers exactly the
/// combinations of the dimensions it must hold (the table below), and when it answers, its figures equal the same query
/// over the session rows. A dimension a path stops holding only makes it slower, which no figure shows, so the table pins
/// what each path holds; a dimension a path claims but does not hold gives wrong figures, which the comparison shows.
/// </summary>
public sealed class FastPathDimensionsTests
{
    /// <summary>What each fast path must hold, and why it can.</summary>
    private static readonly SessionDimensions RollupHolds =
        // session_rollup_hourly is keyed by start hour, error state and turn count.
        SessionDimensions.Time | SessionDimensions.Status | SessionDimensions.MinTurns | SessionDimensions.MaxTurns;
    // session_active_bands_hourly is keyed by start hour, error state and active-time band (only asked with an active-time filter).
    private static readonly SessionDimensions ActiveBandsHold = SessionDimensions.Time | SessionDimensions.Status | SessionDimensions.ActiveTime;
    private static readonly SessionDimensions GroupRollupHolds = SessionDimensions.Time; // tag and metadata rollups: by start hour only
    private static readonly SessionDimensions UserTotalsHold = SessionDimensions.Time; // all-time per-user totals, corrected by a start range
    private static readonly SessionDimensions PlannerHolds = SessionDimensions.Time | SessionDimensions.Status | SessionDimensions.MinTurns; // counts it can read and indexes it knows
    // Whole-project and per-kind daily trend rollups: keyed by start day only (their cost bands hold no error state or turns).
    private static readonly SessionDimensions TrendRollupsHold = SessionDimensions.Time;
    // Token outliers: the tokens-per-turn bands are keyed by start hour only, and their index carries only the start time.
    private static readonly SessionDimensions TokenBandsHold = SessionDimensions.Time;
    // Stats' median and p95 from the daily cost bands: keyed by start day and cost band only (whole days asked).
    private static readonly SessionDimensions CostBandsHold = SessionDimensions.Time;

    [Theory]
    [InlineData(5)]
    [InlineData(1515)]
    public async Task EveryFastPath_AnswersExactlyItsDimensions_AndEqualsTheSessionRows(int seed)
    {
        var random = new Random(seed);
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p");
        var (storage, project) = (store.Storage, store.Project);
        var spans = RandomSessions(random);
        foreach (var batch in spans.OrderBy(_ => random.Next()).Chunk(53))
            await storage.SpanWriter.WriteAsync(batch.Select(s => new ProjectSpan(project, s)).ToList());

        var sessions = ReferenceFigures.Sessions(spans);
        var data = new FilterDimensionCases.Data(sessions.Values, ReferenceFigures.Traces(spans).Values, spans);
        await using var connection = await storage.Database.OpenAsync();
        var projectSessions = sessions.Count;
        var answered = new Dictionary<string, int> { ["rollup"] = 0, ["active bands"] = 0, ["group rollup"] = 0, ["user totals"] = 0, ["planner"] = 0, ["trend rollup"] = 0, ["kind trend rollup"] = 0, ["token bands"] = 0, ["cost bands"] = 0 };
        foreach (var dimensions in FilterDimensionCases.Combinations<SessionDimensions>())
        {
            for (var draw = 0; draw < 2; draw++)
            {
                var filter = FilterDimensionCases.RandomSessionFilter(random, data, dimensions);
                var where = $"seed {seed}, {dimensions}: {filter}";

                Assert.True(RollupHolds.Supports(filter) == SessionRollup.Covers(filter), $"{where}: the session rollup answers {SessionRollup.Supported}, must answer {RollupHolds}");
                if (SessionRollup.Covers(filter))
                {
                    answered["rollup"]++;
                    Assert.Equal(await RowTotalsAsync(connection, project, filter), await SessionRollup.ReadTotalsAsync(connection, project, filter, default));
                }

                var withActiveTime = (filter.ActiveDimensions & SessionDimensions.ActiveTime) != 0;
                Assert.True((withActiveTime && ActiveBandsHold.Supports(filter)) == SessionActiveTimeCount.Covers(filter), $"{where}: the active-time bands answer {SessionActiveTimeCount.Supported}, must answer {ActiveBandsHold}");
                if (SessionActiveTimeCount.Covers(filter))
                {
                    answered["active bands"]++;
                    // Also on round bounds, where whole bands come from the rollup alone.
                    foreach (var rounded in new[] { filter, OnBandStarts(random, filter) })
                        Assert.True((await RowTotalsAsync(connection, project, rounded)).Sessions == await SessionActiveTimeCount.CountAsync(connection, project, rounded, default), $"{where}: active-time count of {rounded}");
                }

                Assert.True(PlannerHolds.Supports(filter) == SessionPagePlan.Covers(filter), $"{where}: the page planner answers {SessionPagePlan.Supported}, must answer {PlannerHolds}");
                if (SessionPagePlan.Covers(filter))
                    answered["planner"]++;

                foreach (var grouping in new SessionGrouping[] { new SessionGrouping.ByTag(), new SessionGrouping.ByMetadata("feature") })
                {
                    Assert.True(GroupRollupHolds.Supports(filter) == RollupBreakdown.Applies(grouping, filter), $"{where}: the group rollups answer {RollupBreakdown.Supported}, must answer {GroupRollupHolds}");
                    if (!RollupBreakdown.Applies(grouping, filter))
                        continue;
                    answered["group rollup"]++;
                    var limit = random.Next(1, 6);
                    Assert.Equal(
                        await SqliteSessionReader.JoinBreakdownAsync(connection, project, grouping, filter, limit, default),
                        await RollupBreakdown.QueryAsync(connection, project, grouping, filter, limit, default));
                }

                // Trends: the buckets' own range replaces the filter's (as the endpoint does), every other dimension stays.
                var days = TimeBuckets.Covering(random.Next(2) == 0 ? BucketSize.Day : BucketSize.Week, Day0 - Day, Day0 + 4 * Day);
                var bounded = filter with { FromMs = days.FromMs, ToMs = days.ToMs };
                foreach (var grouping in new SessionGrouping?[] { null, new SessionGrouping.ByTag(), new SessionGrouping.ByMetadata("feature") })
                {
                    var maxKinds = grouping is null ? 1 : random.Next(1, 5);
                    var covers = grouping is null ? DailyTrendRollup.Covers(bounded, grouping, days) : KindTrendRollup.Covers(bounded, grouping, days);
                    Assert.True(TrendRollupsHold.Supports(bounded) == covers, $"{where}: a trend rollup (by {grouping}) answers {KindTrendRollup.Supported}, must answer {TrendRollupsHold}");
                    Assert.False(grouping is null ? KindTrendRollup.Covers(bounded, grouping, days) : DailyTrendRollup.Covers(bounded, grouping, days));
                    Assert.False(DailyTrendRollup.Covers(bounded, grouping, TimeBuckets.Covering(BucketSize.Hour, days.FromMs, days.ToMs)) || KindTrendRollup.Covers(bounded, grouping, TimeBuckets.Covering(BucketSize.Hour, days.FromMs, days.ToMs)));
                    if (!covers)
                        continue;
                    answered[grouping is null ? "trend rollup" : "kind trend rollup"]++;
                    var rollup = grouping is null
                        ? await DailyTrendRollup.ReadAsync(connection, project, days, default)
                        : await KindTrendRollup.ReadAsync(connection, project, grouping, days, maxKinds, default);
                    AssertSameTrends(await SqliteSessionKindReader.ScanTimeseriesAsync(connection, project, bounded, grouping, days, maxKinds, default), rollup, where);
                }

                Assert.True(TokenBandsHold.Supports(filter) == TokenOutlierSearch.Covers(filter), $"{where}: the tokens-per-turn bands answer {TokenOutlierSearch.Supported}, must answer {TokenBandsHold}");
                if (TokenOutlierSearch.Covers(filter))
                {
                    answered["token bands"]++;
                    var minRatio = new[] { 0.5, 1.0, 1.5, 3.0 }[random.Next(4)];
                    var outlierLimit = random.Next(1, 8);
                    Assert.Equal(
                        TokenOutlierRecomputation.Expected(sessions.Values.Where(s => FilterDimensionCases.Keeps(filter, s)).Select(s => (s.SessionId, s.TotalTokens, (long)s.Turns)), minRatio, outlierLimit),
                        (await TokenOutlierSearch.FindAsync(connection, project, filter, minRatio, outlierLimit, default)).Select(o => (o.Session.SessionId, o.Ratio)));
                }

                // The stats' percentiles: the filter with its set ends floored to UTC midnights, so whole days are asked.
                var wholeDays = filter with { FromMs = filter.FromMs is { } f ? f - f % Day : null, ToMs = filter.ToMs is { } t ? t - t % Day : null };
                Assert.True(CostBandsHold.Supports(wholeDays) == SessionCostBandPercentiles.Covers(wholeDays), $"{where}: the cost bands answer {SessionCostBandPercentiles.Supported}, must answer {CostBandsHold}");
                Assert.False((filter.FromMs is { } partialFrom && partialFrom % Day != 0 || filter.ToMs is { } partialTo && partialTo % Day != 0) && SessionCostBandPercentiles.Covers(filter), $"{where}: the cost bands answered a partial day");
                if (SessionCostBandPercentiles.Covers(wholeDays))
                {
                    answered["cost bands"]++;
                    var priced = sessions.Values.Where(s => FilterDimensionCases.Keeps(wholeDays, s) && s.UnpricedCalls < s.Turns).Select(s => s.CostPico).Order().ToList();
                    var expected = priced.Count == 0 ? (0L, 0L) : (Percentiles.Median(priced), Percentiles.NearestRank(priced, 0.95));
                    Assert.Equal(expected, await SessionCostBandPercentiles.ReadAsync(connection, project, wholeDays, default));
                }

                var userLimit = random.Next(1, 6);
                var byUser = await UserBreakdown.TryReadAsync(connection, project, filter, projectSessions, userLimit, default);
                // Within its dimensions it may still decline (a range holding under half the sessions is cheaper to group directly).
                Assert.True(UserTotalsHold.Supports(filter) || byUser is null, $"{where}: the user totals answer {UserBreakdown.Supported}, must answer only {UserTotalsHold}");
                Assert.True(UserTotalsHold.Supports(filter) == UserBreakdown.Supported.Supports(filter), $"{where}: the user totals hold {UserBreakdown.Supported}, must hold {UserTotalsHold}");
                if (byUser is not null)
                {
                    answered["user totals"]++;
                    Assert.Equal(await SqliteSessionReader.JoinBreakdownAsync(connection, project, new SessionGrouping.ByUser(), filter, userLimit, default), byUser);
                }
            }
        }
        // Every path answered something, so the comparisons above ran.
        Assert.All(answered, a => Assert.True(a.Value > 0, $"{a.Key} never answered"));
    }

    private static void AssertSameTrends(SessionTimeseries expected, SessionTimeseries actual, string where)
    {
        Assert.True(expected.OmittedKinds == actual.OmittedKinds, $"{where}: omitted kinds {actual.OmittedKinds}, expected {expected.OmittedKinds}");
        Assert.Equal(expected.Series.Select(s => (s.Kind, s.Sessions)), actual.Series.Select(s => (s.Kind, s.Sessions)));
        for (var i = 0; i < expected.Series.Count; i++)
            Assert.Equal(expected.Series[i].Buckets, actual.Series[i].Buckets);
    }

    /// <summary>The filter's active-time bounds moved to band starts (or just below one), as a person's round values are.</summary>
    private static SessionFilter OnBandStarts(Random random, SessionFilter filter)
    {
        long Round() => ActiveTimeBands.Starts[random.Next(1, ActiveTimeBands.Starts.Length)] - random.Next(2);
        var (a, b) = (Round(), Round());
        return filter with
        {
            MinActiveMs = filter.MinActiveMs is null ? null : Math.Min(a, b),
            MaxActiveMs = filter.MaxActiveMs is null ? null : Math.Max(a, b),
        };
    }

    /// <summary>The totals over the session rows themselves (SessionSql.AppendFilter holds every dimension).</summary>
    private static async Task<SessionTotals> RowTotalsAsync(SqliteConnection connection, long projectId, SessionFilter filter)
    {
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder(SessionRollup.SessionTotalsSql);
        command.Parameters.AddWithValue("$p", projectId);
        SessionSql.AppendFilter(sql, command, filter);
        command.CommandText = sql.ToString();
        return await SessionRollup.ReadOneAsync(command, default);
    }

    /// <summary>Sessions over three days with users, errors, unpriced calls, tags, a metadata key, names and idle gaps.</summary>
    private static List<SpanRecord> RandomSessions(Random random)
    {
        var spans = new List<SpanRecord>();
        for (var session = 0; session < 70; session++)
        {
            var at = Day0 + random.NextInt64(3 * Day);
            var user = random.Next(6) == 0 ? null : $"user-{random.Next(5)}";
            var turns = random.Next(1, 10);
            for (var turn = 0; turn < turns; turn++)
            {
                var span = Llm($"c{session}-{turn}", $"session-{session:00}", at, latencyMs: random.NextInt64(500, 60_000), userId: user,
                    costPico: random.Next(5) == 0 ? null : random.NextInt64(1, 9_000_000), inputTokens: random.Next(10, 3_000),
                    status: random.Next(12) == 0 ? SpanStatus.Error : SpanStatus.Ok) with
                {
                    SessionName = turn == 0 && random.Next(3) == 0 ? $"Refund {session}% Off_Order" : null,
                };
                span = span.WithTags(new[] { "beta", "eu" }.Where(_ => random.Next(3) == 0).ToArray());
                if (random.Next(2) == 0)
                    span = span.WithMetadata(("feature", $"f{random.Next(3)}"));
                spans.Add(span);
                at = span.EndMs + (random.Next(4) == 0 ? random.NextInt64(5 * 60_000, 30 * 60_000) : random.NextInt64(0, 60_000));
            }
        }
        return spans;
    }
}
