using Zespan.Core.Sessions;
using Zespan.Core.Sessions.Trends;

namespace Zespan.Core.Tests.Sessions;

public class SessionTimeseriesBuilderTests
{
    private static readonly long Monday = DateTimeOffset.Parse("2026-11-23T00:00:00Z").ToUnixTimeMilliseconds();

    [Theory]
    [InlineData(BucketSize.Hour, "2026-11-25T10:30:00Z", "2026-11-25T12:00:01Z", "2026-11-25T10:00:00Z", "2026-11-25T13:00:00Z", 3)]
    [InlineData(BucketSize.Day, "2026-11-25T10:30:00Z", "2026-11-27T00:00:00Z", "2026-11-25T00:00:00Z", "2026-11-27T00:00:00Z", 2)]
    [InlineData(BucketSize.Week, "2026-11-25T10:30:00Z", "2026-11-30T00:00:00Z", "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z", 1)]
    [InlineData(BucketSize.Week, "1969-12-31T00:00:00Z", "1970-01-06T00:00:00Z", "1969-12-29T00:00:00Z", "1970-01-12T00:00:00Z", 2)]
    public void Covering_FloorsAndCeilsToWholeUtcBuckets(BucketSize size, string from, string to, string expectedFrom, string expectedTo, int count)
    {
        var buckets = TimeBuckets.Covering(size, DateTimeOffset.Parse(from).ToUnixTimeMilliseconds(), DateTimeOffset.Parse(to).ToUnixTimeMilliseconds());
        Assert.Equal(DateTimeOffset.Parse(expectedFrom).ToUnixTimeMilliseconds(), buckets.FromMs);
        Assert.Equal(DateTimeOffset.Parse(expectedTo).ToUnixTimeMilliseconds(), buckets.ToMs);
        Assert.Equal(count, buckets.Count);
    }

    [Fact]
    public void Bucket_FiguresOverPricedSessions_UnpricedNeverZero()
    {
        var buckets = TimeBuckets.Covering(BucketSize.Day, Monday, Monday + 3 * TimeBuckets.DayMs);
        var builder = new SessionTimeseriesBuilder(buckets);
        // Day 0: costs 10, 20, 30, 40 (priced), one unpriced session, one with an error; turns 1, 2, 3, 4, 5.
        builder.Add(null, Monday + 1, 10, priced: true, 1, errored: false);
        builder.Add(null, Monday + 2, 20, priced: true, 2, errored: true);
        builder.Add(null, Monday + 3, 30, priced: true, 3, errored: false);
        builder.Add(null, Monday + 4, 40, priced: true, 4, errored: false);
        builder.Add(null, Monday + 5, 0, priced: false, 5, errored: false);
        // Day 1: only an unpriced session. Day 2: empty. Outside the range: ignored.
        builder.Add(null, Monday + TimeBuckets.DayMs, 0, priced: false, 7, errored: false);
        builder.Add(null, Monday + 3 * TimeBuckets.DayMs, 99, priced: true, 1, errored: false);

        var series = Assert.Single(builder.Build(null, 10).Series);
        Assert.Equal(6, series.Sessions);
        var (day0, day1, day2) = (series.Buckets[0], series.Buckets[1], series.Buckets[2]);
        Assert.Equal(5, day0.Sessions);
        Assert.Equal(4, day0.PricedSessions);
        Assert.Equal(1, day0.UnpricedSessions);
        Assert.Equal(100, day0.CostPico);
        Assert.Equal(25, day0.MeanCostPico);       // 100 / 4 priced, not / 5
        Assert.Equal(25, day0.MedianCostPico);     // (20 + 30) / 2
        Assert.Equal(40, day0.P95CostPico);        // nearest rank ceil(0.95 × 4) = 4th
        Assert.Equal(3, day0.MeanTurns);
        Assert.Equal(5, day0.P95Turns);
        Assert.Equal(0.2, day0.ErrorShare);

        Assert.True(day1.CostUnknown);
        Assert.Null(day1.MeanCostPico);
        Assert.Null(day1.MedianCostPico);
        Assert.Equal(7, day1.P95Turns);

        Assert.Equal(0, day2.Sessions);
        Assert.False(day2.CostUnknown);
        Assert.Null(day2.ErrorShare);
        Assert.Null(day2.MeanTurns);
    }

    [Fact]
    public void Kinds_KeepTheLargest_AndCountTheRest()
    {
        var buckets = TimeBuckets.Covering(BucketSize.Day, Monday, Monday + TimeBuckets.DayMs);
        var builder = new SessionTimeseriesBuilder(buckets);
        foreach (var (kind, n) in new (string?, int)[] { ("a", 3), ("b", 5), (null, 5), ("c", 1) })
            for (var i = 0; i < n; i++)
                builder.Add(kind, Monday + i, 1, true, 1, false);
        var result = builder.Build(new SessionGrouping.ByTag(), 2);
        Assert.Equal(["b", null], result.Series.Select(s => s.Kind));
        Assert.Equal(2, result.OmittedKinds);
    }
}
