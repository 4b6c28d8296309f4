using Zespan.Core.Projects;
using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Trends;
using Zespan.Core.Spans;
using Zespan.Core.Storage;
using Zespan.Storage.Conformance;
using static Zespan.Storage.Conformance.TestSpans;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The daily and weekly trend rollups read each bucket's median and p95 from the one cost band that holds it
/// (<see cref="BandCosts"/>): the whole project's band from the sessions' band index, a kind's from session_kind_costs,
/// the no-kind series' as the difference of the two. Dense, generated traffic makes each bucket's median and p95 fall in
/// different bands holding many equal costs, so a band read for the wrong bucket, band or kind, a week read as a day, or
/// the no-kind subtraction gone wrong shows as a wrong figure: both rollup readers must equal the straightforward scan
/// of the session rows, for every grouping.
/// </summary>
public sealed class TrendBandReadsTests
{
    private static readonly long[] CostPool = [0, 99, 100, 100, 1_000, 1_000, 1_000, 1_050, 1_099, 12_345, 12_345, 99_999, 100_000, 2_500_000, 2_500_000, 7_000_000];

    [Theory]
    [InlineData(19)]
    [InlineData(240)]
    public async Task RollupSeries_EqualTheSessionRowScan_WithTiesUnpricedAndSessionsAcrossBucketEdges(int seed)
    {
        var random = new Random(seed);
        await using var store = await SeededStore.CreateAsync(Plan.Scale, "p", "past the bound");
        var (storage, project, overBound) = (store.Storage, store.Project, store.OtherProject);
        var spans = GeneratedSessions(random);
        foreach (var batch in spans.OrderBy(_ => random.Next()).Chunk(97))
            await storage.SpanWriter.WriteAsync(batch.Select(s => new ProjectSpan(project, s)).ToList());
        // The same sessions plus one past 2^63 picodollars: the band rollups cannot hold it, so the reader must scan.
        var huge = Llm("huge-1", "huge", Day0 + 2 * Day + Hour, costPico: long.MaxValue - 5).WithTags("beta");
        foreach (var batch in spans.Append(huge).Append(huge with { Id = "huge-2" }).Chunk(211))
            await storage.SpanWriter.WriteAsync(batch.Select(s => new ProjectSpan(overBound, s)).ToList());

        await using var connection = await storage.Database.OpenAsync();
        foreach (var size in new[] { BucketSize.Day, BucketSize.Week })
        {
            var buckets = TimeBuckets.Covering(size, Day0 - Day, Day0 + 10 * Day);
            var range = new SessionFilter { FromMs = buckets.FromMs, ToMs = buckets.ToMs };
            foreach (var by in new SessionGrouping?[] { null, new SessionGrouping.ByTag(), new SessionGrouping.ByMetadata("feature") })
            {
                var where = $"seed {seed}, {size} by {SessionKinds.ByText(by)}";
                var scan = await SqliteSessionKindReader.ScanTimeseriesAsync(connection, project, range, by, buckets, 50, default);
                Assert.True(scan.Series.Sum(s => s.Buckets.Count(b => b.PricedSessions >= 20)) >= (size == BucketSize.Day ? 8 : 2), $"{where}: too few dense buckets to test");
                var rollup = by is null
                    ? await DailyTrendRollup.ReadAsync(connection, project, buckets, default)
                    : await KindTrendRollup.ReadAsync(connection, project, by, buckets, 50, default);
                AssertSame(scan, rollup, where);
                AssertSame(scan, await storage.SessionKinds.TimeseriesAsync(project, range, by, buckets, 50), $"{where} (reader)");

                var withHuge = await storage.SessionKinds.TimeseriesAsync(overBound, range, by, buckets, 50);
                AssertSame(await SqliteSessionKindReader.ScanTimeseriesAsync(connection, overBound, range, by, buckets, 50, default), withHuge, $"{where}, past the bound");
                Assert.Contains(withHuge.Series.SelectMany(s => s.Buckets), b => b.CostPico > long.MaxValue);
            }
        }
    }

    private static void AssertSame(SessionTimeseries expected, SessionTimeseries actual, string where)
    {
        Assert.True(expected.OmittedKinds == actual.OmittedKinds, $"{where}: omitted kinds {actual.OmittedKinds}, expected {expected.OmittedKinds}");
        Assert.Equal(expected.Series.Select(s => (s.Kind, s.Sessions)), actual.Series.Select(s => (s.Kind, s.Sessions)));
        for (var i = 0; i < expected.Series.Count; i++)
        {
            for (var b = 0; b < expected.Series[i].Buckets.Count; b++)
                Assert.True(expected.Series[i].Buckets[b] == actual.Series[i].Buckets[b],
                    $"{where}, kind {expected.Series[i].Kind}, bucket {b}: {actual.Series[i].Buckets[b]}, expected {expected.Series[i].Buckets[b]}");
        }
    }

    /// <summary>
    /// ~900 sessions over 9 days: costs from a small pool (ties, band edges) times 1–3 calls, a tenth unpriced and some
    /// half-priced, tags and a feature on some, and sessions that start in the last second of a day and go on past
    /// midnight or start on it exactly.
    /// </summary>
    private static List<SpanRecord> GeneratedSessions(Random random)
    {
        var spans = new List<SpanRecord>();
        for (var session = 0; session < 900; session++)
        {
            var day = Day0 + random.Next(9) * Day;
            var at = random.Next(8) switch
            {
                0 => day + Day - 1 - random.Next(1_000), // the last second of the day, later calls after midnight
                1 => day,                                // midnight exactly
                _ => day + random.NextInt64(Day - 10 * Hour),
            };
            var unpriced = random.Next(10) == 0;
            var tags = new[] { "support", "sales", "agent" }.Where(_ => random.Next(3) == 0).ToArray();
            (string, string)[] feature = random.Next(4) == 0 ? [] : [("feature", $"f{random.Next(3)}")];
            var calls = random.Next(1, 4);
            for (var call = 0; call < calls; call++)
            {
                long? cost = unpriced || random.Next(15) == 0 ? null : CostPool[random.Next(CostPool.Length)];
                spans.Add(Llm($"c{session}-{call}", $"s{session:000}", at, latencyMs: 500, costPico: cost,
                    status: random.Next(12) == 0 ? SpanStatus.Error : SpanStatus.Ok).WithTags(tags).WithMetadata(feature));
                at += random.Next(500, 3_000);
            }
        }
        return spans;
    }
}
