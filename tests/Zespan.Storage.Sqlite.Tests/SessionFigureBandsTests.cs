namespace Zespan.Storage.Sqlite.Tests;

/// <summary>
/// The turns bands of session_search_bands (migration 400): they tile every turn count from 0 up without gaps or overlap,
/// and a turns bound's bands — those it covers whole, those it touches — are exactly what a band-by-band check of their
/// ranges says. An answer built on them is exact only if both hold (SessionSearchFactsTests checks the answers).
/// </summary>
public sealed class SessionFigureBandsTests
{
    [Fact]
    public void Bands_TileEveryTurnCount_InOrder()
    {
        Assert.Equal((0L, 0L), SessionFigureBands.Range(0));
        Assert.Equal(long.MaxValue, SessionFigureBands.Range(SessionFigureBands.Last).High);
        for (var band = 0; band < SessionFigureBands.Last; band++)
            Assert.Equal(SessionFigureBands.Range(band).High + 1, SessionFigureBands.Range(band + 1).Low);
        foreach (var turns in Enumerable.Range(0, 5_000).Select(t => (long)t).Concat([1L << 40, (1L << 40) + 1, 3L << 39, long.MaxValue - 1, long.MaxValue]))
        {
            var (low, high) = SessionFigureBands.Range(SessionFigureBands.Of(turns));
            Assert.True(low <= turns && turns <= high, $"{turns} turns in band [{low}, {high}]");
        }
        // Every band's rowids of the highest project with entries stay below 2^63, in band order.
        var lastDocument = (SessionSearchBands.MaxProject << 40) + (1L << 40) - 1;
        Assert.True(SessionSearchBands.Rowid(lastDocument, SessionFigureBands.Last) > SessionSearchBands.Rowid(lastDocument, SessionFigureBands.Last - 1));
        Assert.True(SessionSearchBands.Rowid(lastDocument, SessionFigureBands.Last) > 0);
    }

    [Fact]
    public void BoundsBands_AreThoseTheirRangesSay()
    {
        var bounds = new long?[] { null, -1, 0, 1, 2, 3, 16, 17, 18, 24, 25, 31, 32, 33, 47, 48, 49, 100, 1_000, 1_536, 1_537, 2_048 };
        foreach (var min in bounds)
            foreach (var max in bounds)
            {
                var (inside, touched) = SessionFigureBands.Of(min, max);
                for (var band = 0; band <= SessionFigureBands.Last; band++)
                {
                    var (low, high) = SessionFigureBands.Range(band);
                    var (from, to) = (min ?? long.MinValue, max ?? long.MaxValue);
                    Assert.Equal(low >= from && high <= to && from <= to, band >= inside.From && band <= inside.To);
                    Assert.True((Math.Max(low, from) <= Math.Min(high, to)) == (band >= touched.From && band <= touched.To), $"[{min}, {max}] band {band} [{low}, {high}]: touched {touched}");
                }
            }
    }
}
