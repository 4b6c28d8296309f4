using Microsoft.Data.Sqlite;
using Zespan.Core.Projects;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// session_kind_costs and the per-kind trend rollups are keyed by day first (migrations 440, 450), so their readers list a bucket's days (<see cref="KindCostDays"/>)
/// rather than take a range on day: a range would leave the kind and band out of the key and read every kind's rows of
/// those days. TrendBandReadsTests checks the answers of weekly buckets; these check the plan and the days listed.
/// </summary>
public sealed class KindCostDaysTests
{
    private const string DaySeek = "USING PRIMARY KEY (project_id=? AND day=? AND dim=? AND key=? AND kind=? AND cost_band=?)";

    [Fact]
    public async Task PerKindReads_SeekOneRangePerDay()
    {
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p");
        var (storage, project) = (store.Storage, store.Project);
        // Many kinds over many days, and fresh statistics, so a scan of a day range would look as cheap as it can.
        await storage.SpanWriter.WriteAsync(Enumerable.Range(0, 2_000)
            .Select(i => new ProjectSpan(project, Llm($"s{i}", $"session-{i}", Day0 + i * 6 * Hour).WithTags($"tag-{i % 300}")))
            .ToList());
        await storage.Database.OptimizeAsync();
        await using var connection = await storage.Database.OpenAsync();
        connection.Execute("ANALYZE");

        var week = KindBandWalk.DaysOf(7 * Day);
        foreach (var sql in new[] { KindBandWalk.WalkSql(week, "ASC"), KindBandWalk.WalkSql(week, "DESC"), KindBandWalk.WalkSql(KindBandWalk.DaysOf(Day), "ASC"), BandCosts.OfKindSql })
        {
            var plan = connection.QueryPlan(sql);
            Assert.True(plan.Contains(DaySeek, StringComparison.Ordinal), $"not one seek per day in the plan of\n{sql}\n{plan}");
        }
        // The trend rollups of migration 450: one (day, dim, key) range per day, in each dim's branch.
        foreach (var (table, sql) in new[] { ("session_kind_rollup_daily", KindTrendRollup.RollupSql), ("session_kind_cost_bands_daily", KindTrendRollup.BandsSql) })
        {
            var plan = connection.QueryPlan(sql);
            var seeks = plan.Split('\n').Count(line => line == $"SEARCH {table} USING PRIMARY KEY (project_id=? AND day=? AND dim=? AND key=?)");
            Assert.True(seeks == 2, $"not one seek per day for each of the two dims in the plan of\n{sql}\n{plan}");
        }
    }

    [Theory]
    [InlineData(0L, 3 * Day, new long[] { 0, Day, 2 * Day })]                   // whole days: [from, to)
    [InlineData(1L, 3 * Day, new long[] { Day, 2 * Day })]                      // a day that starts before $from is not in it
    [InlineData(Day, Day + 1, new long[] { Day })]
    [InlineData(Day + 1, 2 * Day, new long[] { })]                              // no day starts in it
    [InlineData(2 * Day, Day, new long[] { })]                                  // an empty range
    [InlineData(-Day - 1, Day, new long[] { -Day, 0 })]                         // before 1970: the next day start, as for any other
    [InlineData(long.MinValue, long.MaxValue, new long[] { -3 * Day, -2 * Day, -Day, 0, Day, 2 * Day, 3 * Day, 4 * Day })] // open: the stored range
    [InlineData(long.MinValue, 0L, new long[] { -3 * Day, -2 * Day, -Day })]
    [InlineData(3 * Day, long.MaxValue, new long[] { 3 * Day, 4 * Day })]
    [InlineData(5 * Day, long.MaxValue, new long[] { })]                        // after the last stored day
    [InlineData(long.MaxValue, long.MaxValue, new long[] { })]
    public async Task BucketDays_AreTheDaysThatStartInTheRange_CutToTheProjectsStoredDays(long from, long to, long[] expected)
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        // Project 1 stores rows from -3 Day to 4 Day, with gaps (listed days without rows cost a seek each); project 2's wider range is not its.
        connection.Execute("CREATE TABLE session_kind_costs (project_id INTEGER, day INTEGER)");
        foreach (var day in new[] { -3 * Day, 0, 2 * Day, 4 * Day })
            connection.Execute($"INSERT INTO session_kind_costs VALUES (1, {day})");
        connection.Execute($"INSERT INTO session_kind_costs VALUES (2, {-10 * Day}), (2, {10 * Day})");
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT day FROM (SELECT {-10 * Day} + value * {Day} AS day FROM json_each('[{string.Join(",", Enumerable.Range(0, 21))}]')) WHERE {KindCostDays.OfCosts} ORDER BY day";
        command.Parameters.AddWithValue("$p", 1);
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        var days = new List<long>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                days.Add(reader.GetInt64(0));
        }
        Assert.Equal(expected, days);
    }
}
