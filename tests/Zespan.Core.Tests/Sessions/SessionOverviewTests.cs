using Zespan.Core.Sessions;

namespace Zespan.Core.Tests.Sessions;

public class SessionOverviewTests
{
    private const long Day = SessionOverview.DayMs;

    [Fact]
    public void CostPerSession_IsOverPricedSessions_AndUnknownWhenADayHasNone()
    {
        var overview = SessionOverview.Of(new (long, Int128?, int)[] { (10, 5, 1), (20, 15, 3), (30, null, 2), (Day + 1, null, 70) });
        Assert.Equal((3L, 2L, (Int128?)10, (Int128?)15), (overview.Days[0].Sessions, overview.Days[0].PricedSessions, overview.Days[0].MedianCostPico, overview.Days[0].P95CostPico));
        Assert.Null(overview.Days[1].MedianCostPico);
        Assert.Null(overview.Days[1].P95CostPico);
        Assert.Equal([1L, 1L, 1L, 0L, 0L, 0L, 0L, 1L], overview.Turns.Select(t => t.Sessions));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(4, 2)]
    [InlineData(5, 3)]
    [InlineData(64, 6)]
    [InlineData(65, 7)]
    [InlineData(100_000, 7)]
    public void Turns_FallIntoPowerOfTwoBuckets(int turns, int bucket) => Assert.Equal(bucket, SessionOverview.BucketOf(turns));

    [Fact]
    public void DaysBeforeTheEpoch_FloorDownward() =>
        Assert.Equal(-Day, SessionOverview.Of(new (long, Int128?, int)[] { (-1, 1, 1) }).Days[0].DayMs);
}
