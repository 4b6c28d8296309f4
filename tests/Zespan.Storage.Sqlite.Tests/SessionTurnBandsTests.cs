namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The turns bands of session_search_bands (migration 400): they tile every turn count from 0 up without gaps or overlap,
/// and a turns bound's bands — those it covers whole, those it touches — are exactly what a band-by-band check of their
/// ranges says. An answer built on them is exact only if both hold (SessionSearchFactsTests checks the answers).
/// </summary>
public sealed class SessionTurnBandsTests
{
    [Fact]
    public void Bands_TileEveryTurnCount_InOrder()
    {
        Assert.Equal((0L, 0L), SessionTurnBands.Range(0));
        Assert.Equal(long.MaxValue, SessionTurnBands.Range(SessionTurnBands.Last).High);
        for (var band = 0; band < SessionTurnBands.Last; band++)
            Assert.Equal(SessionTurnBands.Range(band).High + 1, SessionTurnBands.Range(band + 1).Low);
        foreach (var turns in Enumerable.Range(0, 5_000).Select(t => (long)t).Concat([1L << 40, (1L << 40) + 1, 3L << 39, long.MaxValue - 1, long.MaxValue]))
        {
            var (low, high) = SessionTurnBands.Range(SessionTurnBands.Of(turns));
            Assert.True(low <= turns && turns <= high, $"{turns} turns in band [{low}, {high}]");
        }
        // Every band's rowids of the highest project with entries stay below 2^63, in band order.
        var lastDocument = (SessionSearchBands.MaxProject << 40) + (1L << 40) - 1;
        Assert.True(SessionSearchBands.Rowid(lastDocument, SessionTurnBands.Last) > SessionSearchBands.Rowid(lastDocument, SessionTurnBands.Last - 1));
        Assert.True(SessionSearchBands.Rowid(lastDocument, SessionTurnBands.Last) > 0);
    }

    [Fact]
    public void BoundsBands_AreThoseTheirRangesSay()
    {
        var bounds = new long?[] { null, -1, 0, 1, 2, 3, 16, 17, 18, 24, 25, 31, 32, 33, 47, 48, 49, 100, 1_000, 1_536, 1_537, 2_048 };
        foreach (var min in bounds)
            foreach (var max in bounds)
            {
                var (inside, touched) = SessionTurnBands.Of(min, max);
                for (var band = 0; band <= SessionTurnBands.Last; band++)
                {
                    var (low, high) = SessionTurnBands.Range(band);
                    var (from, to) = (min ?? long.MinValue, max ?? long.MaxValue);
                    Assert.Equal(low >= from && high <= to && from <= to, band >= inside.From && band <= inside.To);
                    Assert.True((Math.Max(low, from) <= Math.Min(high, to)) == (band >= touched.From && band <= touched.To), $"[{min}, {max}] band {band} [{low}, {high}]: touched {touched}");
                }
            }
    }
}
